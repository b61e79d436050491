// Checks of the deployment files (Dockerfile, docker-compose.yml, deploy/k8s); no engine needed.
// The Kubernetes schema validation needs K8S_VALIDATOR (scripts/engines/k8s-validator.sh).
const preset = require('../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'deploy',
  // The specs import no workspace library; the preset's path mapping assumes libs/<name>.
  moduleNameMapper: {},
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
};
