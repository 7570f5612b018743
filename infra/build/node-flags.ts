/**
 * The node flags infra/docker/entrypoint.sh starts the data plane with (its `data-plane` arm sets the same
 * list; test/production-build.test.ts checks the running process has them), so the benchmarks run the data
 * plane as it ships. `--max-semi-space-size=64` (MiB): a larger young generation. Most of a request's objects
 * die young; scavenging less often cut the CPU per authorization-code flow by 2–7 % in bench:authorize
 * (Tessera over the floor per round, three runs of 4 alternating rounds, December 2026), for up to 192 MiB of
 * young generation.
 */
export const DATA_PLANE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
