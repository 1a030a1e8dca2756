// Runs the scripted server on its own thread, so a benchmark measures the client's event loop
// rather than the server and client taking turns on one.
import { parentPort, workerData } from 'node:worker_threads';
import { startOpenAiServer } from './openai-server.mjs';

const server = await startOpenAiServer(workerData);
parentPort.on('message', async (message) => {
  if (message === 'stats') {
    parentPort.postMessage({
      type: 'stats',
      requests: server.requests.length,
      maxInFlight: server.maxInFlight,
    });
  } else if (message === 'close') {
    await server.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready', url: server.url });
