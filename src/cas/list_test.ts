import assert from "node:assert/strict";
import { join } from "node:path";
import { addDataset } from "./add.ts";
import { listDatasets } from "./list.ts";
import { addIncoming, fakeProbe, SCHEMA, tamperWith, TEST, TRAIN, withProject } from "./testing.ts";

Deno.test("listDatasets() lists cheaply, ignores foreign entries, and verifies on request", async () => {
  await withProject(async (root) => {
    const first = await addIncoming(root);
    await Deno.writeTextFile(join(root, "other.csv"), TEST);
    const second = (await addDataset(root, ["other.csv"], { probeSchema: fakeProbe(), cwd: root }))
      .hash;
    await Deno.writeTextFile(join(root, "data/shadow/README.md"), "notes\n");
    await Deno.writeTextFile(join(root, "data/shadow/.gitkeep"), "");

    const listing = await listDatasets(root);
    assert.deepEqual(listing.ignored, ["README.md"]);
    assert.deepEqual(
      listing.datasets.map((d) => d.hash).sort(),
      [first, second].sort(),
    );
    const summary = listing.datasets.find((d) => d.hash === first)!;
    assert.deepEqual({ ...summary, added: undefined }, {
      hash: first,
      dir: `data/shadow/${first}`,
      files: 3,
      bytes: SCHEMA.length + TEST.length + TRAIN.length,
      tables: ["sub/test.csv", "train.csv"],
      columns: 2,
      added: undefined,
      verified: null,
      problem: null,
    });

    // A changed file is only found by hashing; a missing one by the cheap listing.
    const file = await tamperWith(root, first, "train.csv", "x,y\n0,0\n");
    assert.equal((await listDatasets(root)).datasets.find((d) => d.hash === first)!.verified, null);
    const verified = (await listDatasets(root, { verify: true })).datasets;
    assert.equal(verified.find((d) => d.hash === second)!.verified, true);
    const broken = verified.find((d) => d.hash === first)!;
    assert.equal(broken.verified, false);
    assert.match(
      broken.problem!,
      new RegExp(`^data/shadow/${first}/train\\.csv: Dataset file changed`),
    );

    await Deno.chmod(join(root, "data/shadow", first), 0o755);
    await Deno.remove(file);
    const cheap = (await listDatasets(root)).datasets.find((d) => d.hash === first)!;
    assert.equal(cheap.verified, false);
    assert.equal(
      cheap.problem,
      `data/shadow/${first}/train.csv: File listed in MANIFEST.sha256 is missing from the dataset`,
    );
  });
});

Deno.test("listDatasets() of a project without data/shadow/ is empty", async () => {
  await withProject(async (root) => {
    assert.deepEqual(await listDatasets(root), { datasets: [], ignored: [] });
  });
});
