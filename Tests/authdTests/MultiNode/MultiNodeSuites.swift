import Testing

/// Several authd nodes on one PostgreSQL database. One suite at a time, one test at a time: each
/// runs three processes and a database server on two shared cores, and several have time bounds.
/// Without `AUTHD_TEST_POSTGRES_URL` every test here is reported skipped, saying why; with
/// `AUTHD_REQUIRE_POSTGRES=1` and no URL, each fails instead.
@Suite(.serialized, .enabled(if: PostgresEnvironment.enabled, PostgresEnvironment.skipped))
struct MultiNodeSuites {}
