-- The month since removal a day falls in (time in care; uses plus_months of
-- indicators/sql/_macros.sql, created first): the smallest m >= 1 with d < r + m months, so
-- a day in the first month after removal is month 1 and r + 12 months itself is month 13.
-- k counts the calendar months from r's month to d's; r + k months lies in d's month.
CREATE OR REPLACE TEMP MACRO month_index(r, d) AS
    (12 * (year(d) - year(r)) + month(d) - month(r))
    + CASE WHEN d >= plus_months(r, 12 * (year(d) - year(r)) + month(d) - month(r))
           THEN 1 ELSE 0 END;
