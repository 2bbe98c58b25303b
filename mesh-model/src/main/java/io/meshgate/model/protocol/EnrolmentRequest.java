package io.meshgate.model.protocol;

import java.util.List;

/**
 * A node's first contact with the control plane: {@code POST /mesh/v1/enrol}.
 *
 * @param token    the join token the operator made for this node
 * @param node     the node's name, as bound in the token
 * @param services the local workloads' services it asks identities for; each must be entitled by the token
 * @param csr      PEM PKCS#10 request signed by the node's key (the key never leaves the node)
 */
public record EnrolmentRequest(String token, String node, List<String> services, String csr) {

	public EnrolmentRequest {
		services = services == null ? List.of() : List.copyOf(services);
	}
}
