-- Changes whenever an approval is given or revoked (a key for result caches).
SELECT count(*)::BIGINT AS n, max(decided_at) AS last FROM text_approvals
