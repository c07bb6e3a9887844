-- Run by the postgres image on its first start only (when the data volume is empty); to apply a
-- change here, remove the volume: `docker compose down -v`.
-- Each service owns its database and no other service reads its tables. One server holds both
-- locally, as with tools/local-infra (SERVICE_SPECS in tools/local-infra/src/suite.ts).
CREATE DATABASE chat_auth;
CREATE DATABASE chat_persistence;
