package io.trellis.iptables.service;

import static io.trellis.iptables.service.Fixtures.endpoint;
import static io.trellis.iptables.service.Fixtures.ip;
import static io.trellis.iptables.service.Fixtures.nodePort;
import static io.trellis.iptables.service.Fixtures.port;
import static io.trellis.iptables.service.Fixtures.ready;
import static io.trellis.iptables.service.Fixtures.service;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ClientIpAffinity;
import io.trellis.spi.service.EndpointPort;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceEndpoint;
import io.trellis.spi.service.ServiceRef;
import io.trellis.spi.service.TrafficPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Services exercising every rule shape the generator writes. */
final class RuleCatalog {

    private RuleCatalog() {
    }

    static List<Service> everyFeature() {
        Service web = service("web", "10.96.0.10",
                List.of(port("http", Protocol.TCP, 80), port("dns", Protocol.UDP, 53), port("assoc", Protocol.SCTP, 9)),
                List.of(
                        endpoint("10.244.1.5", "node-a", List.of(new EndpointPort("http", Protocol.TCP, 8080),
                                new EndpointPort("dns", Protocol.UDP, 5353), new EndpointPort("assoc", Protocol.SCTP, 99)),
                                true, true, false),
                        endpoint("10.244.2.7", "node-b", List.of(new EndpointPort("http", Protocol.TCP, 8080),
                                new EndpointPort("dns", Protocol.UDP, 5353)), true, true, false),
                        endpoint("10.244.1.6", "node-a", List.of(new EndpointPort("http", Protocol.TCP, 8080)),
                                true, true, false)));
        Service sticky = new Service(new ServiceRef("default", "sticky"), List.of(ip("10.96.0.11")),
                List.of(port("", Protocol.TCP, 80)),
                List.of(ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080),
                        ready("10.244.2.7", "node-b", "", Protocol.TCP, 8080)),
                Optional.of(new ClientIpAffinity(600)));
        Service empty = service("empty", "10.96.0.12", List.of(port("a", Protocol.TCP, 80), port("b", Protocol.UDP, 53)),
                List.of());
        Service externalCluster = service("ext-cluster", "10.96.0.13", List.of(nodePort("", Protocol.TCP, 80, 30080)),
                List.of(ready("10.244.1.5", "node-a", "", Protocol.TCP, 8080),
                        ready("10.244.2.7", "node-b", "", Protocol.TCP, 8080)))
                .withExternalAccess(List.of(ip("192.0.2.10")), List.of(ip("198.51.100.7")), TrafficPolicy.CLUSTER,
                        TrafficPolicy.CLUSTER);
        Service externalLocal = service("ext-local", "10.96.0.14", List.of(nodePort("", Protocol.UDP, 53, 30053)),
                List.of(ready("10.244.1.5", "node-a", "", Protocol.UDP, 5353),
                        ready("10.244.2.7", "node-b", "", Protocol.UDP, 5353)))
                .withExternalAccess(List.of(ip("192.0.2.11")), List.of(), TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER);
        Service noLocal = service("no-local", "10.96.0.15", List.of(nodePort("", Protocol.TCP, 80, 30081)),
                List.of(ready("10.244.2.7", "node-b", "", Protocol.TCP, 8080)))
                .withExternalAccess(List.of(), List.of(ip("198.51.100.8")), TrafficPolicy.LOCAL, TrafficPolicy.LOCAL);
        Service terminating = service("terminating", "10.96.0.16", List.of(port("", Protocol.TCP, 80)),
                List.of(endpoint("10.244.1.9", "node-a", List.of(new EndpointPort("", Protocol.TCP, 8080)), false, true,
                        true)));
        return List.of(web, sticky, empty, externalCluster, externalLocal, noLocal, terminating);
    }

    /**
     * {@code copies} times every Service of {@link #everyFeature()}, renamed {@code NAME-i}, each with
     * its own cluster IP; with {@code lastEndpointOctet} non-empty the last endpoint of each moves to
     * 10.244.3.{@code lastEndpointOctet} (another version of the same Services).
     */
    static List<Service> copies(int copies, String lastEndpointOctet) {
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            for (Service s : everyFeature()) {
                List<ServiceEndpoint> eps = new ArrayList<>(s.endpoints());
                if (!lastEndpointOctet.isEmpty() && !eps.isEmpty()) {
                    ServiceEndpoint last = eps.remove(eps.size() - 1);
                    eps.add(new ServiceEndpoint(ip("10.244.3." + lastEndpointOctet), last.ports(), last.ready(),
                            last.serving(), last.terminating(), last.nodeName()));
                }
                out.add(new Service(new ServiceRef(s.ref().namespace(), s.ref().name() + "-" + i),
                        List.of(ip("10.97." + i + "." + (out.size() % 250 + 1))), s.ports(), eps, s.clientIpAffinity(),
                        s.externalIps(), s.loadBalancerIps(), s.externalTrafficPolicy(), s.internalTrafficPolicy()));
            }
        }
        return out;
    }
}
