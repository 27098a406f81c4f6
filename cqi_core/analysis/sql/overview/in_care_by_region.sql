-- Distinct children in care on $as_of by the region of their episode's unit.
SELECT coalesce(u.region, 'unknown') AS region, count(DISTINCT e.child_id)::BIGINT AS children
FROM episodes e LEFT JOIN units u ON u.unit_id = e.unit_id
WHERE e.removal_date <= $as_of AND (e.discharge_date IS NULL OR e.discharge_date > $as_of)
GROUP BY ALL
ORDER BY region
