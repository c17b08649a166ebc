-- Published indicator results, kept up to date by the worker: every cell here has passed
-- disclosure control (a suppressed cell has no value), so dashboards, exports and the public
-- neighbourhood pages read only this table and never the records behind it.

CREATE TABLE indicator_cells (
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    scope TEXT NOT NULL,
    indicator TEXT NOT NULL,
    disaggregation TEXT NOT NULL,
    position BIGINT NOT NULL,
    group_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('value', 'no_data', 'division_by_zero', 'suppressed')),
    numerator BIGINT,
    denominator BIGINT,
    PRIMARY KEY (tenant_id, period_start, period_end, scope, indicator, disaggregation, position),
    CHECK ((kind = 'value') = (numerator IS NOT NULL AND denominator IS NOT NULL))
);

-- Which periods are computed, when, and whether they are kept by default or were asked for.
CREATE TABLE indicator_periods (
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    standard BIGINT NOT NULL CHECK (standard IN (0, 1)),
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, period_start, period_end)
);

-- The indicators a strategic project is judged by.
CREATE TABLE project_indicators (
    project_id UUID NOT NULL REFERENCES projects(id),
    indicator TEXT NOT NULL,
    PRIMARY KEY (project_id, indicator)
);
