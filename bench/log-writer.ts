// Bench child: writes varied log-like lines to stdout as fast as the pipe takes them, for N seconds.

const seconds = Number(process.argv[2] ?? '3');
const paths = ['/api/items', '/api/users', '/healthz', '/static/app.js', '/api/orders/search'];
let block = '';
for (let i = 0; i < 4096; i++) {
  const path = paths[i % paths.length] ?? '/';
  block += `GET ${path}/${i * 7919} 200 ${(i % 97) / 10}ms user=${i % 13} région=eu-west-${i % 3}\n`;
}
const chunk = Buffer.from(block);
const deadline = Date.now() + seconds * 1000;
// Honour backpressure: the pipe then runs exactly as fast as the reader drains it.
function pump(): void {
  while (Date.now() < deadline) {
    if (!process.stdout.write(chunk)) {
      process.stdout.once('drain', pump);
      return;
    }
  }
}
pump();
