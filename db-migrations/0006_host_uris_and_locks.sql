-- 0006_host_uris_and_locks.sql: hosts know their libvirt; one open sequence per VM
--
-- A host's libvirt connection URI (qemu+tls://host/system in production,
-- qemu:///embed?root=... in tests) is where sequences of the VMs it runs
-- connect, and where migrations to it go (docs/sequencer.md, "Host URIs").
--
-- A VM has at most one open sequence of the journal: a second action on a
-- busy VM is refused at once (ACTION_TYPE_FAILED_OBJECT_LOCKED), never queued.
-- The journal checks it before it begins a sequence; this index makes it hold
-- for two processes beginning at the same moment (core/store/sfo-store-journal.c).
--
-- SPDX-License-Identifier: LGPL-2.1-or-later

ALTER TABLE hosts ADD COLUMN libvirt_uri text CHECK (libvirt_uri <> '');

CREATE UNIQUE INDEX journal_sequences_open_vm_key ON journal_sequences ((plan ->> 'vm'))
    WHERE ended_at IS NULL;
