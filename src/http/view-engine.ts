// The EJS view engine of the site: EJS compiles the templates, this file runs them and their
// includes. EJS's own `include` copies every local of the page into a fresh object, twice, for
// each included file: the account page, with a dozen form fields, spent a third of its rendering
// time copying. Here an included template sees the page's locals through its prototype chain and
// its own include data on top, which is what EJS's copy gives it, without the copy
// (docs/decisions/0022-logged-in-request.md). One difference: what a template writes on
// `locals` its includes see (EJS gives them the data as it received it); no view writes there.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';

type Template = (locals: Record<string, unknown>) => string;
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
      // The locals object is built for this render only (by Express, or by include below): EJS
      // need not copy it once more (`unsafePrototypeLocals`, an EJS 4+ option its types lack).
      const options = { filename: file, root, views: [root], unsafePrototypeLocals: true } as ejs.Options;
      template = ejs.compile(readFileSync(file, 'utf8'), options) as Template;
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

  const run = (file: string, locals: Record<string, unknown>, cache: boolean): string => {
    // Inside the template's `with (locals)`, this property is what `include` names.
    locals.include = (name: string, data?: Record<string, unknown>) => {
      const child = Object.create(locals) as Record<string, unknown>;
      if (data) Object.assign(child, data);
      return run(resolve(name, file), child, cache);
    };
    return compile(file, cache)(locals);
  };

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
