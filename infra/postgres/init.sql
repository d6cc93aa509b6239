-- PostgreSQL for Motcua in production: read models, alerts, the personal-data key vault.
-- NOT RUNNABLE here as a deployment (no Docker engine on the development machines); run by the postgres image's
-- /docker-entrypoint-initdb.d on first start, or by a DBA. The applications create their own tables on first use.
--
-- One database, one schema per concern, one role per concern: the event store's role never sees the vault,
-- the vault's role never sees events (crypto-shredding only helps if keys and ciphertext are kept apart).
-- Passwords are placeholders: set them from the secret store (ALTER ROLE ... PASSWORD) before first use.

CREATE ROLE motcua_app LOGIN PASSWORD 'CHANGE_ME_app';      -- API + worker: read models, alerts (and events when EVENT_STORE=postgres)
CREATE ROLE motcua_vault LOGIN PASSWORD 'CHANGE_ME_vault';  -- API only: the key vault (PERSONAL_DATA_VAULT_URL)

CREATE SCHEMA IF NOT EXISTS read_models AUTHORIZATION motcua_app;   -- READ_MODELS_PG_SCHEMA
CREATE SCHEMA IF NOT EXISTS alerts AUTHORIZATION motcua_app;        -- ALERTS_DB_SCHEMA
CREATE SCHEMA IF NOT EXISTS event_store AUTHORIZATION motcua_app;   -- only used when EVENT_STORE=postgres (no KurrentDB)
CREATE SCHEMA IF NOT EXISTS personal_data AUTHORIZATION motcua_vault; -- PERSONAL_DATA_VAULT_SCHEMA

REVOKE ALL ON SCHEMA personal_data FROM PUBLIC;
REVOKE ALL ON SCHEMA event_store FROM motcua_vault;
-- Audit replays create throw-away schemas audit_scratch_* in the read-model database (docs/audit.md).
GRANT CREATE ON DATABASE motcua TO motcua_app;
