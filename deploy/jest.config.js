// Checks of the deployment files (Dockerfile, docker-compose.yml, deploy/k8s); no engine needed.
// Rendering deploy/k8s needs KUSTOMIZE (scripts/engines/kustomize.sh), the Kubernetes schema
// validation K8S_VALIDATOR (scripts/engines/k8s-validator.sh).
const preset = require('../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'deploy',
  // The specs import no workspace library; the preset's path mapping assumes libs/<name>.
  moduleNameMapper: {},
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
};
