package io.meshgate.model.protocol;

import java.util.List;

/**
 * A node asks for fresh copies of the identities it holds: {@code POST /mesh/v1/renew}. What it may renew is what
 * it can show: certificates of this CA, not expired, and a CSR signed by the key they certify (which proves it holds
 * that key; the certificates alone are public).
 *
 * @param certificates its current SVIDs (PEM), each renewed with the same SPIFFE ID
 * @param csr          PEM PKCS#10 request for the same key
 */
public record RenewalRequest(List<String> certificates, String csr) {

	public RenewalRequest {
		certificates = certificates == null ? List.of() : List.copyOf(certificates);
	}
}
