// The app's route table, read from Express's own router (what the role-matrix and fuzz tests walk):
// every route with its full path and the area whose guard it sits behind.
import type { Express } from 'express';
import type { Area } from '../core/module.ts';

export interface RouteEntry {
  method: string;
  path: string;
  area: Area;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[]; mountPath?: string; area?: Area };
}

export function routeTable(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string, area: Area) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as string[]).concat(layer.route.path);
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (!on || method === '_all') continue;
          for (const p of paths) out.push({ method: method.toUpperCase(), path: p === '/' && prefix ? prefix : prefix + p, area });
        }
      } else if (layer.handle?.stack) {
        const h = layer.handle;
        walk(h.stack!, h.mountPath ? prefix + h.mountPath : prefix, h.area ?? area);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', 'public');
  return out;
}
