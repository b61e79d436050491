-- Runs once, when docker-compose.yml's PostgreSQL starts on an empty volume: one database per
-- service that keeps its events (or, for contacts on KurrentDB, its crypto-shredding keys) in
-- PostgreSQL (database per service; nothing is shared).
CREATE DATABASE contacts;
CREATE DATABASE activities;
CREATE DATABASE adoption_analytics;
