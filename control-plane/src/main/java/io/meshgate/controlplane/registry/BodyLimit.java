package io.meshgate.controlplane.registry;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.meshgate.model.protocol.MeshApi;

/**
 * Bodies of the mesh's own JSON endpoints (registry, join tokens, enrolment, renewal) are small: one larger than 16 KB
 * (128 KB for a renewal) is
 * answered 413 before it is read (by its Content-Length), or cut where it passes the limit (chunked), so no caller
 * can make the control plane hold a large body in memory.
 */
@Component
class BodyLimit extends OncePerRequestFilter {

	static final int LIMIT = 16 * 1024;

	/** A renewal carries the certificates it renews: up to 65, about 1 KB each in PEM. */
	static final int RENEWAL_LIMIT = 128 * 1024;

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String path = request.getRequestURI();
		return !(path.startsWith(MeshApi.REGISTRY) || path.equals(MeshApi.TOKENS) || path.equals(MeshApi.ENROL)
				|| path.equals(MeshApi.RENEW));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long limit = request.getRequestURI().equals(MeshApi.RENEW) ? RENEWAL_LIMIT : LIMIT;
		if (request.getContentLengthLong() > limit) {
			response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
			response.setContentType("application/json");
			response.getWriter()
				.write("{\"error\":\"payload too large\",\"message\":\"a body of at most " + limit + " bytes\"}");
			return;
		}
		chain.doFilter(new Bounded(request, limit), response);
	}

	/** Reads fail past the limit: a chunked body announces no length. */
	private static final class Bounded extends HttpServletRequestWrapper {

		private final long limit;

		Bounded(HttpServletRequest request, long limit) {
			super(request);
			this.limit = limit;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			ServletInputStream in = super.getInputStream();
			return new ServletInputStream() {

				private long read;

				@Override
				public int read() throws IOException {
					int b = in.read();
					if (b >= 0 && ++read > limit) {
						throw new IOException("the body passed " + limit + " bytes");
					}
					return b;
				}

				@Override
				public int read(byte[] buffer, int offset, int length) throws IOException {
					int n = in.read(buffer, offset, length);
					if (n > 0 && (read += n) > limit) {
						throw new IOException("the body passed " + limit + " bytes");
					}
					return n;
				}

				@Override
				public boolean isFinished() {
					return in.isFinished();
				}

				@Override
				public boolean isReady() {
					return in.isReady();
				}

				@Override
				public void setReadListener(ReadListener listener) {
					in.setReadListener(listener);
				}
			};
		}
	}
}
