// The EJS view engine of the site: EJS translates the templates, this file compiles and runs them
// and their includes.
//
// - Includes without copies. EJS's own `include` copies every local of the page into a fresh
//   object, twice, for each included file: the account page, with a dozen form fields, spent a
//   third of its rendering time copying. Here an included template sees the page's locals through
//   its prototype chain and its own include data on top, which is what EJS's copy gives it, without
//   the copy (docs/decisions/0022-logged-in-request.md). One difference: what a template writes on
//   `locals` its includes see (EJS gives them the data as it received it); no view writes there.
// - No `with`. EJS runs a template inside `with (locals) { … }`, where V8 looks every name up
//   at run time; here each name the template reads and does not declare is read once, when it
//   starts, from the locals (or, when they lack it, from the global object, as `with` would), into
//   a plain variable (a quarter of the account page's rendering time; decision 0024). One
//   difference: a name neither in the locals nor global reads as undefined instead of throwing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'acorn';
import ejs from 'ejs';
import { escapeHtml } from './form-field.ts';

type Include = (name: string, data?: Record<string, unknown>) => string;
type Template = (locals: Record<string, unknown>, include: Include) => string;
type Done = (err: Error | null, html?: string) => void;

export interface ViewEngineOptions {
  /** The views folder: `include('/partials/field')` is `<root>/partials/field.ejs`. */
  root: string;
}

/** An Express view engine for `.ejs` files (`app.engine('ejs', viewEngine({ root }))`). */
export function viewEngine({ root }: ViewEngineOptions) {
  const compiled = new Map<string, Template>();

  const compile = (file: string, cache: boolean): Template => {
    let template = cache ? compiled.get(file) : undefined;
    if (!template) {
      template = compileTemplate(readFileSync(file, 'utf8'), file);
      if (cache) compiled.set(file, template);
    }
    return template;
  };

  const files = new Map<string, string>();
  const resolve = (name: string, from: string): string => {
    const key = name.startsWith('/') ? name : `${from}\0${name}`;
    let file = files.get(key);
    if (!file) {
      file = name.startsWith('/') ? path.join(root, name) : path.resolve(path.dirname(from), name);
      if (!path.extname(file)) file += '.ejs';
      files.set(key, file);
    }
    return file;
  };

  const run = (file: string, locals: Record<string, unknown>, cache: boolean): string =>
    compile(file, cache)(locals, (name, data) => {
      const child = Object.create(locals) as Record<string, unknown>;
      if (data) Object.assign(child, data);
      return run(resolve(name, file), child, cache);
    });

  return (file: string, options: object, done: Done): void => {
    const data = options as Record<string, unknown>;
    const settings = data.settings as Record<string, unknown> | undefined;
    let html: string;
    try {
      html = run(file, data, settings?.['view cache'] === true);
    } catch (err) {
      return done(err as Error);
    }
    done(null, html);
  };
}

/** Names the generated code uses for itself: never read from the locals. */
const OWN_NAMES = new Set(['locals', 'escapeFn', 'include', 'rethrow', '__global', '__line', 'arguments', 'undefined']);

/**
 * One template as a function of its locals and its `include`. EJS writes the code (`_with: false`:
 * no `with` around it); the names it reads but does not declare are read from the locals first.
 * Errors name the file and line, with the lines around it, as EJS's do.
 */
export function compileTemplate(text: string, file: string): Template {
  const translated = new ejs.Template(text, { filename: file, _with: false, compileDebug: true });
  translated.compile();
  const code = translated.source;
  const names = freeNames(code).filter((name) => !OWN_NAMES.has(name));
  const reads = names.map((name) => `${name} = ${JSON.stringify(name)} in locals ? locals.${name} : __global.${name}`);
  const source =
    'let __line = 1;\ntry {\n' +
    (reads.length ? `let ${reads.join(',\n  ')};\n` : '') +
    code +
    '} catch (e) {\n  rethrow(e, __line);\n}\n' +
    `//# sourceURL=${file}\n`;
  let fn: (...args: unknown[]) => string;
  try {
    fn = new Function('locals', 'escapeFn', 'include', 'rethrow', '__global', source) as typeof fn;
  } catch (err) {
    if (err instanceof SyntaxError) err.message += ` in ${file} while compiling ejs`;
    throw err;
  }
  const rethrow = (err: unknown, line: number): never => {
    if (!(err instanceof Error)) throw err;
    const lines = text.split('\n');
    const start = Math.max(line - 3, 0);
    const context = lines
      .slice(start, Math.min(lines.length, line + 3))
      .map((l, i) => `${start + i + 1 === line ? ' >> ' : '    '}${start + i + 1}| ${l}`)
      .join('\n');
    (err as Error & { path?: string }).path = file;
    err.message = `${file}:${line}\n${context}\n\n${err.message}`;
    throw err;
  };
  return (locals, include) => fn(locals, escapeHtml, include, rethrow, globalThis);
}

type Node = { type: string; [key: string]: unknown };

/**
 * The names a piece of code reads that it does not declare at its top level: what `with` would
 * have looked up. Over-inclusive on purpose (a name bound only inside a function or a block is
 * listed too: reading it from the locals first is harmless, the inner binding wins); what must not
 * be listed is a name declared at the top (let, const, class, function, or var anywhere outside a
 * function), which the reads would declare a second time.
 */
export function freeNames(code: string): string[] {
  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true }) as unknown as Node;
  const used = new Set<string>();
  const declared = new Set<string>();
  const bind = (pattern: Node | null): void => {
    if (!pattern) return;
    if (pattern.type === 'Identifier') declared.add(pattern.name as string);
    else if (pattern.type === 'ObjectPattern') for (const p of pattern.properties as Node[]) bind((p.type === 'RestElement' ? p.argument : p.value) as Node);
    else if (pattern.type === 'ArrayPattern') for (const e of pattern.elements as (Node | null)[]) bind(e);
    else if (pattern.type === 'RestElement') bind(pattern.argument as Node);
    else if (pattern.type === 'AssignmentPattern') bind(pattern.left as Node);
  };
  // Where a `var` stops: a function, or a class's static block.
  const isFunction = (node: Node) =>
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'StaticBlock';
  const visit = (node: Node, parent: Node | undefined, key: string, top: boolean, inFunction: boolean): void => {
    switch (node.type) {
      case 'Identifier': {
        const name = node.name as string;
        const property = parent && !parent.computed && key === 'key' && !parent.shorthand;
        if (!(parent?.type === 'MemberExpression' && key === 'property' && !parent.computed) && !property) used.add(name);
        return;
      }
      case 'LabeledStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
        if (node.body) visit(node.body as Node, node, 'body', top, inFunction);
        return;
      case 'MetaProperty':
        return;
      case 'VariableDeclaration':
        if ((top && node.kind !== 'var') || (node.kind === 'var' && !inFunction))
          for (const d of node.declarations as Node[]) bind(d.id as Node);
        break;
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        if (top && node.id) bind(node.id as Node);
        break;
    }
    const children = isFunction(node) ? true : inFunction;
    for (const [k, value] of Object.entries(node)) {
      if (k === 'type' || !value || typeof value !== 'object') continue;
      // Only the program's own statements are at its top level.
      const childTop = node.type === 'Program';
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child === 'object' && 'type' in child) visit(child as Node, node, k, childTop, children);
      } else if ('type' in value) visit(value as Node, node, k, childTop, children);
    }
  };
  visit(program, undefined, '', false, false);
  // The reads need `locals` itself: a template may not declare it.
  if (declared.has('locals')) throw new SyntaxError('a template may not declare `locals`');
  return [...used].filter((name) => !declared.has(name));
}
