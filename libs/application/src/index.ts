/**
 * The application layer: use cases shared by the apps, over the domain, reference data and the store's
 * port. Dossier commands are framework-free (the worker and the importer call them directly); the
 * reference-data use cases are Nest providers and CQRS handlers, composed by the API (with its HTTP
 * controllers) and by the CLI (without).
 */
export * from './dossier-commands/dossier-commands';
export * from './command/command-context';
export * from './reference-data/reference-data.service';
export * from './reference-data/agency-scope.service';
export * from './reference-data/reference-data-core.module';
export * from './reference-data/import/reference-importer';
export * from './reference-data/commands/agency-fields.dto';
export * from './reference-data/commands/procedure-fields.dto';
export * from './reference-data/commands/validate-agency';
export * from './reference-data/commands/retry';
export * from './reference-data/commands/register-agency/register-agency.command';
export * from './reference-data/commands/register-agency/register-agency.dto';
export * from './reference-data/commands/register-agency/register-agency.handler';
export * from './reference-data/commands/change-agency/change-agency.command';
export * from './reference-data/commands/change-agency/change-agency.dto';
export * from './reference-data/commands/change-agency/change-agency.handler';
export * from './reference-data/commands/register-procedure/register-procedure.command';
export * from './reference-data/commands/register-procedure/register-procedure.dto';
export * from './reference-data/commands/register-procedure/register-procedure.handler';
export * from './reference-data/commands/change-procedure/change-procedure.command';
export * from './reference-data/commands/change-procedure/change-procedure.handler';
