/**
 * The correlation id of a request, where code deeper than the controller needs it (audit and personal-data
 * access records name the request they were made in).
 *
 * Not an AsyncLocalStorage: on Node 20 one would install promise hooks that run for every promise of the
 * process, a measurable share of a request's CPU. The request middleware sets `req.correlationId` (access line,
 * error answers read it there), and the auth guard ties it to the principal object it creates for the request:
 * a fresh object per request, so `correlationIdOf(user)` names that request.
 */
const byPrincipal = new WeakMap<object, string>();

export function bindCorrelationId(principal: object, correlationId: string): void {
  byPrincipal.set(principal, correlationId);
}

export function correlationIdOf(principal: object): string | undefined {
  return byPrincipal.get(principal);
}
