import net from 'node:net';
import { getFreePort, getFreePorts, isPortFree } from './free-port';

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('free ports', () => {
  it('getFreePort returns a port that can then be bound', async () => {
    const port = await getFreePort();
    expect(port).toBeGreaterThan(0);
    const server = await listenOn(port);
    server.close();
  });

  it('getFreePorts returns distinct ports', async () => {
    const ports = await getFreePorts(8);
    expect(new Set(ports).size).toBe(8);
  });

  it('isPortFree tells a listening port from a free one', async () => {
    const server = await listenOn(0);
    const { port } = server.address() as net.AddressInfo;
    await expect(isPortFree(port)).resolves.toBe(false);
    await new Promise((resolve) => server.close(resolve));
    await expect(isPortFree(port)).resolves.toBe(true);
  });
});
