package io.gbinlog.collector.node;

/**
 * What a data node is, as the settings check found it.
 *
 * @param gtidDomainId MariaDB's gtid_domain_id; -1 on MySQL
 */
public record NodeSettings(String dataNode, String version, boolean mariaDb, long serverId, long gtidDomainId) {

    /** Whether a data node found again (after a reconnect) is still the one checked at start. */
    public boolean sameIdentity(NodeSettings other) {
        return serverId == other.serverId && gtidDomainId == other.gtidDomainId && mariaDb == other.mariaDb;
    }
}
