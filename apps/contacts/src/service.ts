import { CSV_IMPORT_BODY } from './csv/imports.controller';

export const SERVICE = 'contacts';
export const DEFAULT_PORT = 3001;
export const ABOUT = {
  title: 'Quick Sales CRM: contacts',
  description:
    'Parties (people, organizations and internal units) as event streams. Every write is a domain event; reads come from the stream (one contact) or from read models (lists).',
  version: '0.1.0',
  streamedBodies: [CSV_IMPORT_BODY],
};
