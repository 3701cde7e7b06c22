package io.securerelay.relay.monitoring;

import java.util.function.LongSupplier;
import org.glassfish.external.statistics.CountStatistic;
import org.glassfish.external.statistics.impl.CountStatisticImpl;
import org.glassfish.gmbal.AMXMetadata;
import org.glassfish.gmbal.Description;
import org.glassfish.gmbal.ManagedAttribute;
import org.glassfish.gmbal.ManagedObject;

/**
 * The relay's figures as a GlassFish/Payara stats provider: each attribute is a
 * {@link CountStatistic} read from the relay's counters when Payara asks (no update on the frame
 * path). Payara shows it under {@code server.applications.<app>.relay-statistics} in
 * {@code asadmin get -m}, at {@code /monitoring/domain/server/applications/<app>/relay-statistics}
 * in the admin REST interface, and in the admin console's application monitoring. The attribute
 * ids are part of that interface (documented in docs/ARCHITECTURE.md).
 */
@AMXMetadata(type = "secure-relay-mon", group = "monitoring", isSingleton = false)
@ManagedObject
@Description("secure-relay: connections, frames relayed and rejections")
public final class RelayStatsProvider {

    private final CountStatisticImpl connectionsOpen = stat("ConnectionsOpen", "count", "Open WebSocket connections");
    private final CountStatisticImpl sessionsRegistered =
            stat("SessionsRegistered", "count", "Registered session IDs (live routes)");
    private final CountStatisticImpl framesRelayed =
            stat("FramesRelayed", "count", "DELIVER frames written to their receiver, since deployment");
    private final CountStatisticImpl bytesRelayed =
            stat("BytesRelayed", "bytes", "Bytes of DELIVER frames written to their receiver, since deployment");
    private final CountStatisticImpl rejections = stat("Rejections", "count",
            "Connections closed by the relay and SENDs answered with an ERROR, all reasons, since deployment");
    private final CountStatisticImpl pendingBytes =
            stat("SendPendingBytes", "bytes", "Bytes queued for receivers and not yet written, all connections");

    private final RelayCounters counters;
    private final LongSupplier registeredSessions;

    public RelayStatsProvider(RelayCounters counters, LongSupplier registeredSessions) {
        this.counters = counters;
        this.registeredSessions = registeredSessions;
    }

    private static CountStatisticImpl stat(String name, String unit, String description) {
        return new CountStatisticImpl(name, unit, description);
    }

    private static CountStatistic read(CountStatisticImpl s, long value) {
        s.setCount(value);
        return s.getStatistic();
    }

    @ManagedAttribute(id = "connectionsopen")
    @Description("Open WebSocket connections")
    public CountStatistic getConnectionsOpen() {
        return read(connectionsOpen, counters.openConnections());
    }

    @ManagedAttribute(id = "sessionsregistered")
    @Description("Registered session IDs (live routes)")
    public CountStatistic getSessionsRegistered() {
        return read(sessionsRegistered, registeredSessions.getAsLong());
    }

    @ManagedAttribute(id = "framesrelayed")
    @Description("DELIVER frames written to their receiver, since deployment")
    public CountStatistic getFramesRelayed() {
        return read(framesRelayed, counters.framesRelayed());
    }

    @ManagedAttribute(id = "bytesrelayed")
    @Description("Bytes of DELIVER frames written to their receiver, since deployment")
    public CountStatistic getBytesRelayed() {
        return read(bytesRelayed, counters.bytesRelayed());
    }

    @ManagedAttribute(id = "rejections")
    @Description("Connections closed by the relay and SENDs answered with an ERROR, all reasons")
    public CountStatistic getRejections() {
        return read(rejections, counters.rejections().values().stream().mapToLong(Long::longValue).sum());
    }

    @ManagedAttribute(id = "sendpendingbytes")
    @Description("Bytes queued for receivers and not yet written, all connections")
    public CountStatistic getSendPendingBytes() {
        return read(pendingBytes, counters.pendingBytes());
    }
}
