import Module from 'node:module';
import path from 'node:path';

/*
 * Jest loads global setup outside its module registry, so its @chat/* alias map does not apply
 * there; the launcher imports libs (the ACL plan, Kafka security) by alias. Imported for its effect,
 * before the launcher: Node then resolves those aliases from tsconfig.base.json (jest's transformer
 * still compiles what they load).
 */
const workspaceRoot = path.resolve(__dirname, '../../../..');
const paths = (require(path.join(workspaceRoot, 'tsconfig.base.json')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
const loader = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolve = loader._resolveFilename.bind(loader);
loader._resolveFilename = (request: string, ...rest: unknown[]) => resolve(paths[request] ? path.join(workspaceRoot, paths[request][0]) : request, ...rest);
