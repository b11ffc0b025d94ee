-- OrleansTok's PostgreSQL schema for Orleans' ADO.NET providers (clustering and grain storage).
-- Every statement is idempotent: the schema is applied at start-up by every silo and by
-- `dotnet run --project src/Silo -- migrate`, so it is safe to run any number of times.
-- The providers load the queries below from OrleansQuery by key at start-up; the parameter
-- names (@Name) and result column names are the providers' contract.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64)   NOT NULL PRIMARY KEY,
    querytext varchar(8000) NOT NULL
);

-- ---------------------------------------------------------------- clustering
CREATE TABLE IF NOT EXISTS orleansmembershipversiontable
(
    deploymentid varchar(150)   NOT NULL PRIMARY KEY,
    timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    version      integer        NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS orleansmembershiptable
(
    deploymentid varchar(150)   NOT NULL REFERENCES orleansmembershipversiontable (deploymentid),
    address      varchar(45)    NOT NULL,
    port         integer        NOT NULL,
    generation   integer        NOT NULL,
    siloname     varchar(150)   NOT NULL,
    hostname     varchar(150)   NOT NULL,
    status       integer        NOT NULL,
    proxyport    integer        NULL,
    suspecttimes varchar(8000)  NULL,
    starttime    timestamptz(3) NOT NULL,
    iamalivetime timestamptz(3) NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- Membership writes are conditional on the table version the silo read (optimistic concurrency):
-- the row change and the version bump happen together or not at all, and the function answers
-- 1 on success and 0 on a lost race, which Orleans retries after re-reading the table.
CREATE OR REPLACE FUNCTION orleanstok_insert_membership(
    p_deploymentid varchar, p_address varchar, p_port integer, p_generation integer,
    p_siloname varchar, p_hostname varchar, p_status integer, p_proxyport integer,
    p_starttime timestamptz, p_iamalivetime timestamptz, p_version integer)
RETURNS TABLE (row_count integer) LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orleansmembershipversiontable
       SET version = version + 1, timestamp = now()
     WHERE deploymentid = p_deploymentid AND version = p_version;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;
    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
    VALUES
        (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname, p_status, p_proxyport, p_starttime, p_iamalivetime)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'orleanstok: membership row exists';
    END IF;
    RETURN QUERY SELECT 1;
EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN QUERY SELECT 0;   -- the version bump above is rolled back with the sub-transaction
END $$;

CREATE OR REPLACE FUNCTION orleanstok_update_membership(
    p_deploymentid varchar, p_address varchar, p_port integer, p_generation integer,
    p_status integer, p_suspecttimes varchar, p_iamalivetime timestamptz, p_version integer)
RETURNS TABLE (row_count integer) LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orleansmembershipversiontable
       SET version = version + 1, timestamp = now()
     WHERE deploymentid = p_deploymentid AND version = p_version;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;
    UPDATE orleansmembershiptable
       SET status = p_status, suspecttimes = p_suspecttimes, iamalivetime = p_iamalivetime
     WHERE deploymentid = p_deploymentid AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'orleanstok: membership row missing';
    END IF;
    RETURN QUERY SELECT 1;
EXCEPTION WHEN SQLSTATE 'P0001' THEN
    RETURN QUERY SELECT 0;
END $$;

-- ---------------------------------------------------------------- grain storage
-- One row per (service, state name, grain id). The provider passes the state name as the
-- "grain type", which is why every grain class in OrleansTok has its own state name.
CREATE TABLE IF NOT EXISTS orleansstorage
(
    serviceid              varchar(150)  NOT NULL,
    graintypestring        varchar(512)  NOT NULL,
    graintypehash          integer       NOT NULL,
    grainidhash            integer       NOT NULL,
    grainidn0              bigint        NOT NULL,
    grainidn1              bigint        NOT NULL,
    grainidextensionstring varchar(512)  NOT NULL DEFAULT '',
    payloadbinary          bytea         NULL,
    modifiedon             timestamptz   NOT NULL DEFAULT now(),
    version                integer       NOT NULL,
    PRIMARY KEY (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring)
);

-- Answers the new version on success and the caller's version (or NULL) on a conflict, which
-- the provider turns into an InconsistentStateException: two activations can never both win.
CREATE OR REPLACE FUNCTION orleanstok_write_state(
    p_serviceid varchar, p_graintype varchar, p_graintypehash integer, p_grainidhash integer,
    p_n0 bigint, p_n1 bigint, p_ext varchar, p_version integer, p_payload bytea)
RETURNS TABLE (newgrainstateversion integer) LANGUAGE plpgsql AS $$
DECLARE
    v_new integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO orleansstorage
            (serviceid, graintypestring, graintypehash, grainidhash, grainidn0, grainidn1, grainidextensionstring, payloadbinary, version)
        VALUES
            (p_serviceid, p_graintype, p_graintypehash, p_grainidhash, p_n0, p_n1, coalesce(p_ext, ''), p_payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO v_new;
    ELSE
        UPDATE orleansstorage
           SET payloadbinary = p_payload, version = version + 1, modifiedon = now()
         WHERE serviceid = p_serviceid AND graintypestring = p_graintype
           AND grainidn0 = p_n0 AND grainidn1 = p_n1 AND grainidextensionstring = coalesce(p_ext, '')
           AND version = p_version
        RETURNING version INTO v_new;
    END IF;
    RETURN QUERY SELECT coalesce(v_new, p_version);
END $$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('UpdateIAmAlivetimeKey', '
    UPDATE orleansmembershiptable SET iamalivetime = @IAmAliveTime
     WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;'),
('InsertMembershipVersionKey', '
    WITH inserted AS (
        INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (@DeploymentId)
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*)::integer AS row_count FROM inserted;'),
('InsertMembershipKey', '
    SELECT row_count FROM orleanstok_insert_membership(@DeploymentId, @Address, @Port, @Generation,
        @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);'),
('UpdateMembershipKey', '
    SELECT row_count FROM orleanstok_update_membership(@DeploymentId, @Address, @Port, @Generation,
        @Status, @SuspectTimes, @IAmAliveTime, @Version);'),
('MembershipReadRowKey', '
    SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status,
           m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime, v.version
      FROM orleansmembershipversiontable v
      LEFT JOIN orleansmembershiptable m ON v.deploymentid = m.deploymentid
           AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
     WHERE v.deploymentid = @DeploymentId;'),
('MembershipReadAllKey', '
    SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status,
           m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime, v.version
      FROM orleansmembershipversiontable v
      LEFT JOIN orleansmembershiptable m ON v.deploymentid = m.deploymentid
     WHERE v.deploymentid = @DeploymentId;'),
('DeleteMembershipTableEntriesKey', '
    DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
    DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId;'),
('GatewaysQueryKey', '
    SELECT address, proxyport, generation FROM orleansmembershiptable
     WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0;'),
('CleanupDefunctSiloEntriesKey', '
    DELETE FROM orleansmembershiptable
     WHERE deploymentid = @DeploymentId AND iamalivetime < @IAmAliveTime
       AND starttime < @IAmAliveTime AND status = 6;'),
('CleanupDefunctSiloEntryKey', '
    DELETE FROM orleansmembershiptable
     WHERE deploymentid = @DeploymentId AND status = 6
       AND address = @Address AND port = @Port AND generation = @Generation
       AND iamalivetime = @IAmAliveTime AND starttime = @StartTime
       AND coalesce(suspecttimes, '''') = coalesce(CAST(@SuspectTimes AS varchar), '''');'),
('WriteToStorageKey', '
    SELECT newgrainstateversion FROM orleanstok_write_state(@ServiceId, @GrainTypeString, @GrainTypeHash,
        @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, @GrainStateVersion, @PayloadBinary);'),
('ReadFromStorageKey', '
    SELECT payloadbinary, NULL::text AS payloadxml, NULL::text AS payloadjson, now() AS modifiedon, version
      FROM orleansstorage
     WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString
       AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
       AND grainidextensionstring = coalesce(CAST(@GrainIdExtensionString AS varchar), '''');'),
('ClearStorageKey', '
    UPDATE orleansstorage SET payloadbinary = NULL, version = version + 1, modifiedon = now()
     WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString
       AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
       AND grainidextensionstring = coalesce(CAST(@GrainIdExtensionString AS varchar), '''')
       AND version = @GrainStateVersion
    RETURNING version AS newgrainstateversion;'),
('DeleteStorageKey', '
    DELETE FROM orleansstorage
     WHERE serviceid = @ServiceId AND graintypestring = @GrainTypeString
       AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
       AND grainidextensionstring = coalesce(CAST(@GrainIdExtensionString AS varchar), '''')
       AND version = @GrainStateVersion
    RETURNING version AS newgrainstateversion;')
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
