package io.securerelay.relay.monitoring;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Registers {@link RelayStatsProvider} with Payara's monitoring at deployment and unregisters it
 * when the application stops (an undeploy or redeploy leaves nothing behind). Payara Micro and
 * Payara Server both carry the monitoring API; where it is missing (another container) the relay
 * runs without it and says so once at INFO.
 */
@ApplicationScoped
public class PayaraMonitoring {

    private static final Logger LOG = Logger.getLogger(PayaraMonitoring.class.getName());
    /** The subtree under the application's node in Payara's monitoring tree. */
    public static final String SUBTREE = "relay-statistics";
    /** The monitoring module whose level turns the figures on ({@code web-container=LOW} or HIGH). */
    public static final String MONITORING_MODULE = "web-container";

    @Inject
    RelayMetrics metrics;

    private Object provider;

    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        String app = applicationName();
        try {
            RelayStatsProvider p = new RelayStatsProvider(metrics.counters(), metrics::registeredSessions);
            org.glassfish.external.probe.provider.StatsProviderManager.register(MONITORING_MODULE,
                    org.glassfish.external.probe.provider.PluginPoint.APPLICATIONS, app + "/" + SUBTREE, p);
            provider = p;
            LOG.info(() -> "relay statistics registered with Payara's monitoring at applications/" + app + "/" + SUBTREE);
        } catch (LinkageError | RuntimeException e) {
            LOG.log(Level.INFO, "Payara's monitoring API is not available; the relay's figures are in /metrics only ({0})",
                    e.toString());
        }
    }

    void atShutdown(@Observes @BeforeDestroyed(ApplicationScoped.class) Object ignored) {
        Object p = provider;
        provider = null;
        if (p != null) {
            try {
                org.glassfish.external.probe.provider.StatsProviderManager.unregister(p);
            } catch (LinkageError | RuntimeException e) {
                LOG.log(Level.WARNING, "could not unregister the relay statistics from Payara's monitoring", e);
            }
        }
    }

    /** The application's name as deployed ({@code java:app/AppName}), "relay" if unknown. */
    private static String applicationName() {
        try {
            Object name = new InitialContext().lookup("java:app/AppName");
            return name instanceof String s && !s.isBlank() ? s : "relay";
        } catch (NamingException e) {
            return "relay";
        }
    }
}
