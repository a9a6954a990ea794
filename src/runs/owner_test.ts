import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { lockState, ownerLiveness, ownerLock } from "./owner.ts";

Deno.test("ownerLiveness(): a held lock is alive; a free or missing one is gone, but not on a server", () => {
  const lock = ".mlp/runs/r1/supervisor.lock";
  deepEqual(ownerLiveness(lock, "held", "project", "100"), { state: "alive" });
  deepEqual(ownerLiveness(lock, "free", "server", "100"), {
    state: "gone",
    why: "no process holds its lock .mlp/runs/r1/supervisor.lock (its supervisor (process 100) " +
      "has exited, or this project is a copy)",
  });
  deepEqual(ownerLiveness(lock, "missing", "project"), {
    state: "gone",
    why: "its supervisor left no lock in this project (.mlp/runs/r1/supervisor.lock is missing)",
  });
  deepEqual(ownerLiveness(lock, "missing", "server"), {
    state: "unknown",
    why: "its lock .mlp/runs/r1/supervisor.lock is not in this project (another machine's run?)",
  });
});

Deno.test("ownerLock() resolves the recorded lock inside the project only", () => {
  equal(
    ownerLock("/p", { "mlp.owner.lock": ".mlp/runs/r1/supervisor.lock" }),
    "/p/.mlp/runs/r1/supervisor.lock",
  );
  equal(ownerLock("/p", { "mlp.owner.lock": "/etc/passwd" }), null);
  equal(ownerLock("/p", { "mlp.owner.lock": "../x/supervisor.lock" }), null);
  equal(ownerLock("/p", {}), null);
});

Deno.test("lockState() sees a lock another process holds, and frees it when that process dies", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "supervisor.lock");
  equal(await lockState(path), "missing");
  const holder = new Deno.Command("python3", {
    args: [
      "-c",
      `import fcntl,sys; h=open(${
        JSON.stringify(path)
      },"ab"); fcntl.flock(h, fcntl.LOCK_EX); print("held", flush=True); sys.stdin.read()`,
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = holder.stdout.getReader();
  await reader.read(); // "held"
  equal(await lockState(path), "held");
  holder.kill("SIGKILL");
  await holder.status;
  reader.releaseLock();
  await holder.stdout.cancel();
  await holder.stdin.close().catch(() => {});
  equal(await lockState(path), "free");
  await Deno.remove(dir, { recursive: true });
});
