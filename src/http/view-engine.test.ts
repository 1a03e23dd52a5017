// The view engine runs includes as EJS does (the page's locals, the include's data on top),
// without copying the locals.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { afterAll, describe, expect, it } from 'vitest';
import { compileTemplate, freeNames, viewEngine } from './view-engine.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'club-views-'));
const write = (name: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
  writeFileSync(path.join(root, name), text);
};
write(
  'page.ejs',
  "<h1><%= title %></h1><%- include('/partials/field', { name: 'a', label }) %>|<%- include('/partials/field', { name: 'b' }) %>|<%= typeof name %>|<%- include(bodyView) %>",
);
write('partials/field.ejs', "[<%= name %>:<%= label %>:<%= locals.name %>]<%- include('inner') %>");
write('partials/inner.ejs', '(<%= name %>)');
write('writes.ejs', "<% locals.mark = 1 %><%- include('/partials/mark') %>|<%= mark %>");
write('partials/mark.ejs', '<%= typeof mark %>');
write('body.ejs', '{<%= title %>}');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const render = (engine: ReturnType<typeof viewEngine>, file: string, data: Record<string, unknown>) =>
  new Promise<string>((resolve, reject) =>
    engine(path.join(root, file), data, (err, html) => (err ? reject(err) : resolve(html!))),
  );

const locals = () => ({ settings: { 'view cache': true }, title: 'T & <x>', label: 'L', bodyView: '/body' });

describe('view engine', () => {
  it('renders what EJS renders: page locals seen by includes, include data on top, nothing leaking back', async () => {
    const ours = await render(viewEngine({ root }), 'page.ejs', locals());
    const theirs = await ejs.renderFile(path.join(root, 'page.ejs'), locals(), { root, views: [root] });
    expect(ours).toBe(theirs);
    // `name` is the include's own; the second field has no label of its own and sees the page's;
    // a relative include resolves beside its file.
    expect(ours).toBe('<h1>T &amp; &lt;x&gt;</h1>[a:L:a](a)|[b:L:b](b)|undefined|{T &amp; &lt;x&gt;}');
  });

  it('differs from EJS where no view relies on it: a write on `locals` reaches the includes, not the names already read', async () => {
    // Each name is read from the locals once, when the template starts (no `with`).
    expect(await render(viewEngine({ root }), 'writes.ejs', locals())).toBe('number|');
    expect(await ejs.renderFile(path.join(root, 'writes.ejs'), locals(), { root, views: [root] })).toBe('undefined|1');
  });

  it('reads a name from the locals first, then from the global object, as `with` does', async () => {
    write(
      'names.ejs',
      [
        '<% const list = [1, 2]; var total = 0; function twice(n) { return 2 * n } %>',
        '<% for (const n of list) { total += twice(n) } %><%= total %>',
        '|<%= JSON.stringify({ a: 1 }) %>|<%= Math.max(...list) %>|<%= escape %>',
        '|<%= typeof missing %>|<%= [3].map((title) => title + 1) %>|<%= title %>',
        '|<% label: for (const x of list) { if (x) break label } %><%= { label }.label %>',
      ].join(''),
    );
    const html = await render(viewEngine({ root }), 'names.ejs', { ...locals(), escape: 'local wins' });
    expect(html).toBe('6|{&#34;a&#34;:1}|2|local wins|undefined|4|T &amp; &lt;x&gt;|L');
  });

  it('keeps compiled templates only with the view cache on', async () => {
    const file = 'cached.ejs';
    const engine = viewEngine({ root });
    write(file, 'one');
    expect(await render(engine, file, locals())).toBe('one');
    write(file, 'two');
    expect(await render(engine, file, locals())).toBe('one');
    expect(await render(engine, file, { ...locals(), settings: { 'view cache': false } })).toBe('two');
  });

  it('hands a template error to Express, with the file and line', async () => {
    write('broken.ejs', 'a\n<%= missing.value %>');
    await expect(render(viewEngine({ root }), 'broken.ejs', locals())).rejects.toThrow(/broken\.ejs:2/);
  });
});

describe('freeNames', () => {
  // Names bound inside a function or a block (n, s, u) are listed too: reading them first is harmless.
  it('lists what the code reads and does not declare at its top level', () => {
    const code = [
      'let a = b + c.d; const { e, f: g, ...h } = i; var [j = k] = l;',
      'function m(n) { return n + o } class P {}',
      'if (q) { var r = 1; let s = t } (u) => u + v;',
      'w[x]; ({ y: z, aa, [bb]: 1 }); lbl: for (;;) break lbl;',
    ].join('\n');
    expect(freeNames('class A { static { var hidden = 1 } }; hidden')).toContain('hidden');
    expect(() => freeNames('const locals = 1')).toThrow(/locals/);
    expect(freeNames(code).sort()).toEqual(['aa', 'b', 'bb', 'c', 'i', 'k', 'l', 'n', 'o', 'q', 's', 't', 'u', 'v', 'w', 'x', 'z'].sort());
  });
});

describe('the site views', () => {
  it('every view compiles (a name declared at a template top level is not read a second time)', () => {
    const views = path.resolve(import.meta.dirname, '../../views');
    const files = readdirSync(views, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'));
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) expect(() => compileTemplate(readFileSync(path.join(views, f), 'utf8'), f)).not.toThrow();
  });
});
