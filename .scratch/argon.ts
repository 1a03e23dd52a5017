import { hashPassword } from '../src/accounts/password.ts';
let t = performance.now();
for (let i = 0; i < 5; i++) await hashPassword('une phrase de passe solide');
process.stderr.write(`seq: ${((performance.now() - t) / 5).toFixed(0)} ms/hash\n`);
t = performance.now();
await Promise.all(Array.from({ length: 10 }, () => hashPassword('une phrase de passe solide')));
process.stderr.write(`parallel 10: ${((performance.now() - t) / 10).toFixed(0)} ms/hash\n`);
