-- 0003_journal.sql: the sequencer's journal (docs/sequencer.md, "Journal")
--
-- What the JSON journal file keeps, as tables: one row per sequence (a run
-- of a plan), one per phase a step reached, one per VF held. The journal is
-- about libvirt calls, not the inventory: its ids are plain text with no
-- foreign key into the inventory's tables, since the plan may have come from
-- an inventory file, and an import must not be refused because a sequence
-- once named a host.
--
-- A row is written, and committed, before the step it records runs
-- (core/store/sfo-store-journal.c). A process running a sequence holds a
-- session advisory lock on its ordinal, which PostgreSQL drops when the
-- process dies: reconcile takes over only sequences whose lock it can take.
--
-- SPDX-License-Identifier: LGPL-2.1-or-later

CREATE TABLE journal_sequences (
    -- made by the server: processes forked from one parent share its random state
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- the order sequences began in, and the key of the advisory lock of the process running it
    ordinal bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- the plan as sfo_plan_format_json() writes it: action, VM, steps and their undo
    plan jsonb NOT NULL CHECK (jsonb_typeof(plan) = 'object'),
    source_uri text,
    destination_uri text,
    began_at timestamp with time zone NOT NULL DEFAULT now(),
    ended_at timestamp with time zone,
    -- how it ended (an sfo_exec_status name); NULL while open
    status text CHECK (status IN ('completed', 'refused', 'undone', 'incomplete', 'undo-failed')),
    CONSTRAINT journal_sequences_ended_check CHECK ((ended_at IS NULL) = (status IS NULL))
);
-- reconcile reads the open ones only
CREATE INDEX journal_sequences_open_idx ON journal_sequences (ordinal) WHERE ended_at IS NULL;

CREATE TABLE journal_steps (
    -- the order the phases were recorded in: the last one of a step is its phase
    ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sequence_id uuid NOT NULL REFERENCES journal_sequences (id),
    -- false: plan.steps[step_index]; true: plan.undo[step_index]
    undo boolean NOT NULL,
    step_index integer NOT NULL CHECK (step_index >= 0),
    phase text NOT NULL CHECK (phase IN ('started', 'done', 'already', 'failed')),
    error_key text,
    error_message text,
    recorded_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT journal_steps_error_check CHECK (error_key IS NOT NULL OR error_message IS NULL)
);
CREATE INDEX journal_steps_sequence_id_idx ON journal_steps (sequence_id, ordinal);

-- A VF held for a NIC between reserve-vf and release-vf: one holder per VF, whichever
-- process asks, is what the primary key guarantees
CREATE TABLE journal_vf_holds (
    host_id text NOT NULL,
    vf_address text NOT NULL,
    nic_id text NOT NULL,
    -- the sequence that took it
    sequence_id uuid NOT NULL REFERENCES journal_sequences (id),
    held_at timestamp with time zone NOT NULL DEFAULT now(),
    PRIMARY KEY (host_id, vf_address)
);
CREATE INDEX journal_vf_holds_sequence_id_idx ON journal_vf_holds (sequence_id);
