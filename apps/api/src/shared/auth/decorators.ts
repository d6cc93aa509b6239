import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiError } from '@motcua/platform';
import { AuthUser, Role } from '@motcua/platform';

export const IS_PUBLIC = 'motcua:public';
export const ROLES_KEY = 'motcua:roles';

/** The route needs no token (health, metrics, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route (checked after authentication: wrong role = 403). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The authenticated principal. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  const user = ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
  if (!user) throw new ApiError(401, 'UNAUTHENTICATED', 'authentication required');
  return user;
});
