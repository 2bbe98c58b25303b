package io.meshgate.controlplane.push;

import org.springframework.stereotype.Component;

import io.meshgate.controlplane.ca.CertificateAuthority;
import io.meshgate.model.protocol.TrustBundle;

/**
 * Keeps the watch stream's trust bundle the CA's: sent to every proxy as it connects, and again at each phase of a
 * root rotation, so proxies trust a new root before anything it signs reaches them.
 */
@Component
class TrustBundlePush {

	TrustBundlePush(CertificateAuthority ca, WatchBroadcaster broadcaster) {
		broadcaster.publish(bundleOf(ca));
		ca.addListener(change -> broadcaster.publish(bundleOf(ca)));
	}

	private static TrustBundle bundleOf(CertificateAuthority ca) {
		return new TrustBundle(ca.trustBundle(), ca.fingerprint());
	}
}
