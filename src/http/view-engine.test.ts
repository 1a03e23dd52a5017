// The view engine runs includes as EJS does (the page's locals, the include's data on top),
// without copying the locals.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { afterAll, describe, expect, it } from 'vitest';
import { viewEngine } from './view-engine.ts';

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

  it('differs from EJS in one way no view relies on: what a template writes on `locals` its includes see', async () => {
    expect(await render(viewEngine({ root }), 'writes.ejs', locals())).toBe('number|1');
    expect(await ejs.renderFile(path.join(root, 'writes.ejs'), locals(), { root, views: [root] })).toBe('undefined|1');
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
