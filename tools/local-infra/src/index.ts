export { getFreePort, getFreePorts, isPortFree } from './free-port';
export { ensureKafkaJars, kafkaLibsDir, readKafkaVersion, type EnsureKafkaJarsOptions } from './kafka-jars';
export { renderServerProperties, type BrokerConfig } from './kafka-config';
export { startKafkaBroker, type KafkaBrokerHandle, type StartKafkaBrokerOptions } from './kafka-broker';
export { clientSecurity, clientSecurityEnv, kafkaJsClientSecurity, LOCAL_KAFKA_USERS, type LocalKafkaSecurity, type LocalKafkaUser } from './kafka-security';
export { provisionGatewayPrincipal } from './gateway-principal';
// A CA and a server certificate for 127.0.0.1/localhost: the local broker's, and any other local TLS server's in tests (PostgreSQL).
export { ensureBrokerTls, type BrokerTls } from './kafka-security';
export { startPostgres, POSTGRES_PASSWORD, POSTGRES_USER, type PostgresHandle, type StartPostgresOptions } from './postgres';
export {
  distEntry,
  GENEROUS_AUTH_RATE_LIMITS,
  SERVICE_DATABASES,
  SERVICE_SPECS,
  SERVICES,
  serviceEnv,
  startService,
  type ServiceEnvContext,
  type ServiceName,
  type ServiceProcess,
  type ServiceSpec,
  type StartServiceOptions,
} from './suite';
// The launcher: infrastructure (own or external) and the services as processes.
export { startInfra, type Infra, type InfraComponent, type InfraEvent, type OwnKafkaOptions, type OwnPostgresOptions, type StartInfraOptions } from './infra';
export { ServiceFleet, type InstanceSpec, type ServiceFleetOptions, type StartedInstance } from './fleet';
export { devDataEncryptionEnv, generateDataEncryptionEnv, type DataEncryptionEnv } from './data-keys';
export { devJwtKeys, generateJwtKeys, jwtEnv, type JwtKeys } from './jwt-keys';
export { readyzStatus } from './readyz';
export { startWebServer, type WebServer, type WebServerOptions } from './web-server';
export type { ExitInfo } from './process-control';
export { findWorkspaceRoot } from './workspace';
export { formatTable } from './console-format';
export { clusterProperties, startKafkaCluster, type KafkaClusterHandle, type StartKafkaClusterOptions } from './kafka-cluster';
