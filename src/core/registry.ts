// What the composition root derives from the list of modules, once; carried in deps.registry so
// that the eraser, the export, the worker and the audit journal read the same declarations.
import type { Prisma } from '../generated/prisma/client.ts';
import type { Area, Classification, DomainModule, ErasureHooks, ExportSection, JobDefinition, NavEntry, TableRule } from './module.ts';

export interface Registry {
  modules: readonly DomainModule[];
  classification: Classification;
  /** Which module declares each table. */
  tableOwner: Partial<Record<Prisma.ModelName, string>>;
  jobs: Record<string, JobDefinition>;
  daily: string[];
  erasure: ErasureHooks[];
  exports: ExportSection[];
  auditLabels: Record<string, string>;
  /** Path prefixes whose rest is a secret, kept out of the logs (DomainModule.secretPaths). */
  secretPaths: string[];
  /** The modules' names for the keys of audit details; a key means the same in every domain. */
  auditDetailLabels: Record<string, string>;
  /** The modules' words for the codes in audit details' values (DomainModule.auditDetailValues). */
  auditDetailValues: Record<string, string>;
  /** Every module's member facts by name (DomainModule.memberFacts). */
  memberFacts: Record<string, string>;
  nav(area: Area): NavEntry[];
}

export function buildRegistry(modules: readonly DomainModule[]): Registry {
  const classification: Classification = {};
  const tableOwner: Registry['tableOwner'] = {};
  const jobs: Record<string, JobDefinition> = {};
  const auditLabels: Record<string, string> = {};
  const auditDetailLabels: Record<string, string> = {};
  const auditDetailValues: Record<string, string> = {};
  const memberFacts: Record<string, string> = {};
  const exportKeys = new Set<string>();
  const names = new Set<string>();
  for (const m of modules) {
    if (names.has(m.name)) throw new Error(`module ${m.name} is listed twice`);
    names.add(m.name);
    for (const [table, rule] of Object.entries(m.classification ?? {}) as [Prisma.ModelName, TableRule][]) {
      if (tableOwner[table]) throw new Error(`table ${table} is classified by ${tableOwner[table]} and ${m.name}`);
      tableOwner[table] = m.name;
      (classification as Record<string, TableRule>)[table] = rule;
    }
    for (const [kind, job] of Object.entries(m.jobs ?? {})) {
      if (jobs[kind]) throw new Error(`job kind ${kind} is declared twice`);
      jobs[kind] = job;
    }
    for (const [action, label] of Object.entries(m.audit ?? {})) {
      if (auditLabels[action]) throw new Error(`audit action ${action} is declared twice`);
      auditLabels[action] = label;
    }
    // A key or a code means the same in every domain: declared twice, it must get the same words.
    for (const [words, declared, what] of [
      [auditDetailLabels, m.auditDetails, 'audit detail'],
      [auditDetailValues, m.auditDetailValues, 'audit detail value'],
    ] as const) {
      for (const [key, label] of Object.entries(declared ?? {})) {
        if (words[key] !== undefined && words[key] !== label) throw new Error(`${what} ${key} is named twice, differently`);
        words[key] = label;
      }
    }
    for (const [name, sql] of Object.entries(m.memberFacts ?? {})) {
      if (memberFacts[name]) throw new Error(`member fact ${name} is declared twice`);
      if (!/^[a-zA-Z]\w*$/.test(name)) throw new Error(`member fact ${name}: a name is letters, digits and _`);
      memberFacts[name] = sql;
    }
    for (const e of m.exports ?? []) {
      if (exportKeys.has(e.key)) throw new Error(`export section ${e.key} is declared twice`);
      exportKeys.add(e.key);
    }
  }
  const nav = modules.flatMap((m) => m.nav ?? []);
  return {
    modules,
    classification,
    tableOwner,
    jobs,
    daily: modules.flatMap((m) => m.daily ?? []),
    erasure: modules.flatMap((m) => (m.erasure ? [m.erasure] : [])),
    exports: modules.flatMap((m) => m.exports ?? []),
    auditLabels,
    auditDetailLabels,
    auditDetailValues,
    secretPaths: modules.flatMap((m) => m.secretPaths ?? []),
    memberFacts,
    nav: (area) => nav.filter((n) => n.area === area),
  };
}
