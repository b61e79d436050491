// Mints a JWT for local use and prints only the token on stdout:
//   npm run -s token -- --employee alice --team sales --role rep [--role manager] [--expires 8h]
// It uses the same secret as the services: JWT_SECRET, or the one kept in DATA_DIR.
import { isRole, loadServiceConfig, mintToken, resolveJwtSecret, type Role } from '@crm/platform';
import { parseArgs } from 'node:util';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      employee: { type: 'string' },
      team: { type: 'string' },
      role: { type: 'string', multiple: true },
      expires: { type: 'string', default: '8h' },
    },
    strict: true,
  });
  const roles = values.role ?? [];
  if (!values.employee || !values.team || roles.length === 0) {
    throw new Error(
      'usage: npm run -s token -- --employee <id> --team <team> --role <admin|manager|rep|analyst> [--role ...] [--expires 8h]',
    );
  }
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length > 0) throw new Error(`unknown role(s): ${unknown.join(', ')}`);
  const config = loadServiceConfig('token', 0);
  const secret = resolveJwtSecret(config.jwtSecret, config.dataDir);
  const token = await mintToken(
    secret,
    config.jwtIssuer,
    {
      employeeId: values.employee,
      team: values.team,
      roles: roles as Role[],
    },
    values.expires,
  );
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
