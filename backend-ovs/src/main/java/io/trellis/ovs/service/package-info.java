/**
 * Services on OVS: {@link io.trellis.ovs.service.OvsServiceProxy} implements the SPI
 * {@code ServiceProxy} with one select group per Service frontend and conntrack DNAT
 * ({@link io.trellis.ovs.pipeline.ServiceFlows}), each Service change one OpenFlow bundle;
 * {@link io.trellis.ovs.service.DesiredService} is what an SPI Service asks of OVS.
 */
package io.trellis.ovs.service;
