import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { get, isObject, type Json, type Manifest } from '../manifest';
import { problem, type Problem } from './problem';
import { UnknownFieldFinder } from './unknown-fields';

/** A model class of kubernetes-models: construct with the object, validate() throws with every error. */
type ModelClass = new (data: never) => { validate(): void };

interface KubernetesModel {
  model: ModelClass;
  /** Where the model's TypeScript interface is declared, for the unknown-field check. */
  declaration: [module: string, interfaceName: string];
}

const kubernetesModel = (model: ModelClass, module: string, interfaceName: string): KubernetesModel => ({ model, declaration: [module, interfaceName] });

/**
 * The Kubernetes kinds these manifests use, validated against the API's OpenAPI schemas as compiled
 * by kubernetes-models (types, required fields, enums, formats), and for fields no type declares. A
 * kind missing here is reported, so a new kind cannot slip through unvalidated.
 */
const MODELS: Record<string, KubernetesModel> = {
  'v1/ConfigMap': kubernetesModel(ConfigMap, 'kubernetes-models/v1/ConfigMap', 'IConfigMap'),
  'v1/Namespace': kubernetesModel(Namespace, 'kubernetes-models/v1/Namespace', 'INamespace'),
  'v1/Service': kubernetesModel(Service, 'kubernetes-models/v1/Service', 'IService'),
  'apps/v1/Deployment': kubernetesModel(Deployment, 'kubernetes-models/apps/v1/Deployment', 'IDeployment'),
  'apps/v1/StatefulSet': kubernetesModel(StatefulSet, 'kubernetes-models/apps/v1/StatefulSet', 'IStatefulSet'),
  'policy/v1/PodDisruptionBudget': kubernetesModel(PodDisruptionBudget, 'kubernetes-models/policy/v1/PodDisruptionBudget', 'IPodDisruptionBudget'),
  'autoscaling/v2/HorizontalPodAutoscaler': kubernetesModel(HorizontalPodAutoscaler, 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'IHorizontalPodAutoscaler'),
  'networking.k8s.io/v1/Ingress': kubernetesModel(Ingress, 'kubernetes-models/networking.k8s.io/v1/Ingress', 'IIngress'),
  'networking.k8s.io/v1/NetworkPolicy': kubernetesModel(NetworkPolicy, 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'INetworkPolicy'),
};

/** Built on first use: it type-checks the kubernetes-models declarations (a second or two). */
let unknownFields: UnknownFieldFinder | undefined;
function unknownFieldsOf(type: string, manifest: Manifest): string[] {
  unknownFields ??= new UnknownFieldFinder(Object.fromEntries(Object.entries(MODELS).map(([key, { declaration }]) => [key, declaration])));
  return unknownFields.find(type, manifest).map((field) => `unknown field ${field}`);
}

/** Custom resources: no schema package for them, so the fields their operators need, checked by hand. */
const CUSTOM_RESOURCES: Record<string, (manifest: Manifest) => string[]> = {
  'kafka.strimzi.io/v1beta2/KafkaTopic': kafkaTopicShape,
  'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitorShape,
  'keda.sh/v1alpha1/ScaledObject': scaledObjectShape,
  'keda.sh/v1alpha1/TriggerAuthentication': triggerAuthenticationShape,
};

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^(?=.{1,63}$)[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function checkSchemas(manifests: Manifest[]): Problem[] {
  return manifests.flatMap((manifest) => {
    const type = `${manifest.apiVersion}/${manifest.kind}`;
    const errors = [...metadataErrors(manifest)];
    const model = MODELS[type];
    const shape = CUSTOM_RESOURCES[type];
    if (model) errors.push(...modelErrors(model.model, manifest), ...unknownFieldsOf(type, manifest));
    else if (shape) errors.push(...shape(manifest));
    else errors.push(`no schema known for ${type}: add it to tools/deploy-checks/src/lib/checks/schema.ts`);
    return errors.map((message) => problem('schema', manifest, message));
  });
}

function modelErrors(Model: ModelClass, manifest: Manifest): string[] {
  try {
    new Model(manifest as never).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

function metadataErrors(manifest: Manifest): string[] {
  const errors: string[] = [];
  const { name, labels = {}, annotations = {} } = manifest.metadata;
  // Services become DNS labels (the name is a host name); everything else a DNS subdomain.
  if (manifest.kind === 'Service' ? !DNS_LABEL.test(name) : !DNS_SUBDOMAIN.test(name)) errors.push(`metadata.name "${name}" is not a valid name for a ${manifest.kind}`);
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY.test(key)) errors.push(`label key "${key}" is invalid`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`label ${key}: "${String(value)}" is not a valid label value`);
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value !== 'string') errors.push(`annotation ${key} must be a string (quote it)`);
  }
  return errors;
}

function isPositiveInt(value: Json | undefined): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function kafkaTopicShape(topic: Manifest): string[] {
  const errors: string[] = [];
  const topicName = get(topic, 'spec', 'topicName') ?? topic.metadata.name;
  if (typeof topicName !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topicName)) errors.push('spec.topicName must be a Kafka topic name');
  if (typeof get(topic, 'metadata', 'labels', 'strimzi.io/cluster') !== 'string') errors.push('needs the label strimzi.io/cluster naming the Kafka cluster');
  if (!isPositiveInt(get(topic, 'spec', 'partitions'))) errors.push('spec.partitions must be an integer ≥ 1');
  if (!isPositiveInt(get(topic, 'spec', 'replicas'))) errors.push('spec.replicas must be an integer ≥ 1');
  const config = get(topic, 'spec', 'config');
  if (config !== undefined && (!isObject(config) || !Object.values(config).every((v) => ['string', 'number', 'boolean'].includes(typeof v)))) {
    errors.push('spec.config must map Kafka settings to strings, numbers or booleans');
  }
  return errors;
}

function serviceMonitorShape(monitor: Manifest): string[] {
  const errors: string[] = [];
  if (!isObject(get(monitor, 'spec', 'selector'))) errors.push('spec.selector is required');
  const endpoints = get(monitor, 'spec', 'endpoints');
  if (!Array.isArray(endpoints) || endpoints.length === 0) errors.push('spec.endpoints needs at least one endpoint');
  for (const [i, endpoint] of (Array.isArray(endpoints) ? endpoints : []).entries()) {
    if (typeof get(endpoint, 'port') !== 'string') errors.push(`spec.endpoints[${i}].port must name a Service port`);
    const path = get(endpoint, 'path');
    if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) errors.push(`spec.endpoints[${i}].path must start with /`);
  }
  return errors;
}

function scaledObjectShape(scaled: Manifest): string[] {
  const errors: string[] = [];
  if (typeof get(scaled, 'spec', 'scaleTargetRef', 'name') !== 'string') errors.push('spec.scaleTargetRef.name is required');
  const min = get(scaled, 'spec', 'minReplicaCount');
  const max = get(scaled, 'spec', 'maxReplicaCount');
  if (typeof min !== 'number' || typeof max !== 'number' || min < 0 || max < Math.max(min, 1)) errors.push('spec.minReplicaCount/maxReplicaCount must be numbers with min ≤ max');
  const triggers = get(scaled, 'spec', 'triggers');
  if (!Array.isArray(triggers) || triggers.length === 0) errors.push('spec.triggers needs at least one trigger');
  for (const [i, trigger] of (Array.isArray(triggers) ? triggers : []).entries()) {
    const metadata = get(trigger, 'metadata');
    if (typeof get(trigger, 'type') !== 'string') errors.push(`spec.triggers[${i}].type is required`);
    if (!isObject(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) errors.push(`spec.triggers[${i}].metadata must map to strings`);
    const authentication = get(trigger, 'authenticationRef');
    if (authentication !== undefined && typeof get(authentication, 'name') !== 'string') errors.push(`spec.triggers[${i}].authenticationRef.name is required`);
  }
  return errors;
}

function triggerAuthenticationShape(authentication: Manifest): string[] {
  const refs = get(authentication, 'spec', 'secretTargetRef');
  if (!Array.isArray(refs) || refs.length === 0) return ['spec.secretTargetRef needs at least one entry'];
  return refs.flatMap((ref, i) => (['parameter', 'name', 'key'] as const).filter((field) => typeof get(ref, field) !== 'string').map((field) => `spec.secretTargetRef[${i}].${field} is required`));
}
