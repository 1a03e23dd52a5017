// The composition root: the HTTP app with every module of src/modules.ts mounted behind its
// area's guard, and the accounts domain answering "who is this session's member?".
import type express from 'express';
import type { Deps } from './deps.ts';
import { createHttpApp } from './http/app.ts';
import { sessionMember, sessionWithMember, touchActivity } from './accounts/service.ts';

export function createApp(deps: Deps): express.Express {
  return createHttpApp(deps, {
    clock: deps.clock,
    find: (id) => sessionMember(deps, id),
    withSession: (sid) => sessionWithMember(deps, sid),
    touch: (member) => touchActivity(deps, member),
  });
}
