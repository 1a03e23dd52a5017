// A local SMTP server for development: accepts every message on 127.0.0.1 and prints it.
// Run `npm run fake:smtp`, then start the site with SMTP_URL=smtp://127.0.0.1:2525.
import { SMTPServer } from 'smtp-server';

const port = Number(process.env.FAKE_SMTP_PORT ?? 2525);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    let raw = '';
    stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    stream.on('end', () => {
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      process.stdout.write(`\n--- message for ${to} ---\n${raw}\n`);
      callback();
    });
  },
});
server.listen(port, '127.0.0.1', () => console.info(`Faux serveur SMTP sur smtp://127.0.0.1:${port}`));
