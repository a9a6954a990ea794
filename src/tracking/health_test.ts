import { equal, rejects } from "node:assert/strict";
import { CheckError } from "../errors.ts";
import { checkTrackingServer } from "./health.ts";

Deno.test("checkTrackingServer() passes a server that answers /health, and SQLite stores", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    return new Response(new URL(request.url).pathname === "/health" ? "OK" : "no", {
      status: new URL(request.url).pathname === "/health" ? 200 : 404,
    });
  });
  await checkTrackingServer(`http://127.0.0.1:${server.addr.port}/`);
  await checkTrackingServer("sqlite:////tmp/none/mlflow.db");
  await server.shutdown();
});

Deno.test("checkTrackingServer() refuses at once when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await rejects(() => checkTrackingServer(`http://127.0.0.1:${port}`), (error: unknown) => {
    equal(error instanceof CheckError, true);
    equal(
      (error as CheckError).message.startsWith(
        `The MLflow server "http://127.0.0.1:${port}" is not reachable: `,
      ),
      true,
    );
    return true;
  });
});

Deno.test("checkTrackingServer() refuses a server whose health check fails", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("down", { status: 503 }),
  );
  const uri = `http://127.0.0.1:${server.addr.port}`;
  await rejects(() => checkTrackingServer(uri), {
    message: `The MLflow server "${uri}" is not reachable: GET ${uri}/health answered HTTP 503`,
  });
  await server.shutdown();
});
