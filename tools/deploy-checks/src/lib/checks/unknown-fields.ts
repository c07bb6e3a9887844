import path from 'node:path';
import ts from 'typescript';
import { isObject, type Json } from '../manifest';
import { WORKSPACE_ROOT } from '../paths';

/**
 * The JSON schemas of the Kubernetes API allow any extra field, so a schema validator passes a
 * misspelt or misplaced field (`readinesProbe`, `resources` one level too high) that the API server
 * then rejects (kubectl's default strict field validation) or, with an older client, drops without
 * a word. The TypeScript declarations of kubernetes-models list every field of every type, so this
 * walks a manifest along its declared type and reports each field the type does not have.
 */
export class UnknownFieldFinder {
  private readonly checker: ts.TypeChecker;
  private readonly types = new Map<string, ts.Type>();

  /** @param models `apiVersion/kind` → [module of kubernetes-models, exported interface] */
  constructor(models: Record<string, [string, string]>) {
    const entries = Object.entries(models);
    const file = path.join(WORKSPACE_ROOT, 'tools', 'deploy-checks', '__kubernetes-types__.ts');
    const source = [
      ...entries.map(([, [module, name]], i) => `import type { ${name} as T${i} } from '${module}';`),
      `export interface Models { ${entries.map(([key], i) => `${JSON.stringify(key)}: T${i};`).join(' ')} }`,
    ].join('\n');
    const options: ts.CompilerOptions = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, strict: true, noEmit: true, skipLibCheck: true, types: [] };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (name) => (name === file ? source : readFile(name));
    host.fileExists = (name) => name === file || fileExists(name);
    const program = ts.createProgram([file], options, host);
    this.checker = program.getTypeChecker();
    const sourceFile = program.getSourceFile(file);
    const declaration = sourceFile?.statements.find(ts.isInterfaceDeclaration);
    if (!declaration) throw new Error('could not load the kubernetes-models declarations');
    for (const property of this.checker.getPropertiesOfType(this.checker.getTypeAtLocation(declaration))) {
      this.types.set(property.name, this.checker.getTypeOfSymbol(property));
    }
  }

  /** Paths of the fields of a manifest that its kind does not declare, e.g. `spec.template.spec.containers[0].readinesProbe`. */
  find(type: string, manifest: Json): string[] {
    const declared = this.types.get(type);
    return declared ? this.walk(manifest, declared, '') : [];
  }

  private walk(value: Json, declared: ts.Type, at: string): string[] {
    const type = this.checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
    if (Array.isArray(value)) {
      const element = this.checker.isArrayType(type) ? this.checker.getTypeArguments(type as ts.TypeReference)[0] : undefined;
      return element ? value.flatMap((item, i) => this.walk(item, element, `${at}[${i}]`)) : [];
    }
    if (!isObject(value)) return [];
    // An object where a union of scalars is declared (IntOrString, Quantity) is the validator's business.
    if (type.isUnion() && !type.types.some((member) => member.flags & ts.TypeFlags.Object)) return [];
    const mapValue = this.checker.getIndexTypeOfType(type, ts.IndexKind.String);
    if (mapValue) return Object.entries(value).flatMap(([key, item]) => this.walk(item, mapValue, `${at}.${key}`));
    return Object.entries(value).flatMap(([key, item]) => {
      const property = this.checker.getPropertyOfType(type, key);
      const where = at ? `${at}.${key}` : key;
      return property ? this.walk(item, this.checker.getTypeOfSymbol(property), where) : [where];
    });
  }
}
