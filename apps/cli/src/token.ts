/**
 * `npm run cli -- token`: a development JWT signed with the configured secret (AUTH_JWT_SECRET, or the
 * development secret file the API uses too). Loads only the platform library: no Nest context, no store.
 */
import { isRole, loadConfig, parseTtl, ROLES, signDevToken } from '@motcua/platform';
import { UsageError, type Flags } from './args';

export async function token(flags: Flags): Promise<number> {
  const role = flags.role;
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  const agency = typeof flags.agency === 'string' ? flags.agency : undefined;
  if ((role === 'clerk' || role === 'monitor') && !agency) throw new UsageError(`a ${role} token needs --agency CODE`);
  const ttl = parseTtl(typeof flags.ttl === 'string' ? flags.ttl : '8h');
  const config = loadConfig();
  if (!config.auth.jwtSecret) throw new UsageError('AUTH_JWKS_URL is set and AUTH_JWT_SECRET is not: tokens come from the identity provider');
  const sub = typeof flags.sub === 'string' ? flags.sub : `dev-${role}${agency ? '-' + agency : ''}`;
  const jwt = await signDevToken(config.auth.jwtSecret, { sub, role, agency }, ttl);
  process.stderr.write(
    `token for sub=${sub} role=${role}${agency ? ` agency=${agency}` : ''}, valid ${ttl} s, signed with the ${config.auth.secretSource === 'env' ? 'AUTH_JWT_SECRET' : `development secret in ${config.auth.devSecretFile}`}\n`,
  );
  process.stdout.write(jwt + '\n');
  return 0;
}
