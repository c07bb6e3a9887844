import { existsSync } from 'node:fs';
import path from 'node:path';
import { ServiceNames, type ServiceName } from '@chat/protocol';

/** The repository root: the nearest folder up from here with nx.json (works from src/ and dist/). */
function findWorkspaceRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json above ${start}`);
  }
}

export const WORKSPACE_ROOT = findWorkspaceRoot(__dirname);
export const K8S_DIR = path.join(WORKSPACE_ROOT, 'deploy', 'k8s');

/** What an operator applies: the overlays, and the optional parts on top of prod. */
export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];
export const overlayDir = (overlay: Overlay) => path.join(K8S_DIR, 'overlays', overlay);
export const COMPONENTS = ['service-monitor', 'keda-lag-scaling'] as const;
export const componentDir = (component: (typeof COMPONENTS)[number]) => path.join(K8S_DIR, 'components', component);
export const KAFKA_TOPICS_DIR = path.join(K8S_DIR, 'kafka-topics');

/** The five services; each runs from dist/apps/<app>/main.js and ships as image chat-<app>. */
export const APPS = ServiceNames;
export type App = ServiceName;
export const appMain = (app: App) => path.join(WORKSPACE_ROOT, 'dist', 'apps', app, 'main.js');
