CREATE DOMAIN public.object_id AS text
	CONSTRAINT object_id_charset CHECK ((VALUE ~ '^[A-Za-z0-9_-]+$'::text));

CREATE DOMAIN public.object_name AS text
	CONSTRAINT object_name_not_empty CHECK ((VALUE <> ''::text));

CREATE TABLE public.cluster_networks (
    cluster_id public.object_id NOT NULL,
    "position" integer NOT NULL,
    network_id public.object_id NOT NULL
);

CREATE TABLE public.clusters (
    id public.object_id NOT NULL,
    name public.object_name NOT NULL,
    data_center_id public.object_id NOT NULL,
    version_major integer NOT NULL,
    version_minor integer NOT NULL,
    bios_type text,
    ordinal bigint NOT NULL,
    CONSTRAINT clusters_bios_type_check CHECK ((bios_type = ANY (ARRAY['i440fx_sea_bios'::text, 'q35_sea_bios'::text, 'q35_ovmf'::text, 'q35_secure_boot'::text]))),
    CONSTRAINT clusters_version_major_check CHECK (((version_major >= 0) AND (version_major <= 1000))),
    CONSTRAINT clusters_version_minor_check CHECK (((version_minor >= 0) AND (version_minor <= 1000)))
);

ALTER TABLE public.clusters ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.clusters_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.data_centers (
    id public.object_id NOT NULL,
    name public.object_name NOT NULL,
    ordinal bigint NOT NULL
);

ALTER TABLE public.data_centers ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.data_centers_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.host_networks (
    host_id public.object_id NOT NULL,
    "position" integer NOT NULL,
    network_id public.object_id NOT NULL
);

CREATE TABLE public.host_pf_networks (
    pf_id bigint NOT NULL,
    "position" integer NOT NULL,
    network_id public.object_id NOT NULL
);

CREATE TABLE public.host_pfs (
    id bigint NOT NULL,
    host_id public.object_id NOT NULL,
    "position" integer NOT NULL,
    name public.object_name NOT NULL,
    address text NOT NULL
);

ALTER TABLE public.host_pfs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.host_pfs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.host_vfs (
    pf_id bigint NOT NULL,
    "position" integer NOT NULL,
    address text NOT NULL,
    nic_id public.object_id
);

CREATE TABLE public.hosts (
    id public.object_id NOT NULL,
    name public.object_name NOT NULL,
    cluster_id public.object_id NOT NULL,
    ordinal bigint NOT NULL,
    libvirt_uri text,
    CONSTRAINT hosts_libvirt_uri_check CHECK ((libvirt_uri <> ''::text))
);

ALTER TABLE public.hosts ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.hosts_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.journal_sequences (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    ordinal bigint NOT NULL,
    plan jsonb NOT NULL,
    source_uri text,
    destination_uri text,
    began_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    status text,
    CONSTRAINT journal_sequences_ended_check CHECK (((ended_at IS NULL) = (status IS NULL))),
    CONSTRAINT journal_sequences_plan_check CHECK ((jsonb_typeof(plan) = 'object'::text)),
    CONSTRAINT journal_sequences_status_check CHECK ((status = ANY (ARRAY['completed'::text, 'refused'::text, 'undone'::text, 'incomplete'::text, 'undo-failed'::text])))
);

ALTER TABLE public.journal_sequences ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.journal_sequences_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.journal_steps (
    ordinal bigint NOT NULL,
    sequence_id uuid NOT NULL,
    undo boolean NOT NULL,
    step_index integer NOT NULL,
    phase text NOT NULL,
    error_key text,
    error_message text,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT journal_steps_error_check CHECK (((error_key IS NOT NULL) OR (error_message IS NULL))),
    CONSTRAINT journal_steps_phase_check CHECK ((phase = ANY (ARRAY['started'::text, 'done'::text, 'already'::text, 'failed'::text]))),
    CONSTRAINT journal_steps_step_index_check CHECK ((step_index >= 0))
);

ALTER TABLE public.journal_steps ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.journal_steps_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.journal_vf_holds (
    host_id text NOT NULL,
    vf_address text NOT NULL,
    nic_id text NOT NULL,
    sequence_id uuid NOT NULL,
    held_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.login_failures (
    user_name text NOT NULL,
    failed_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.networks (
    id public.object_id NOT NULL,
    name public.object_name NOT NULL,
    data_center_id public.object_id NOT NULL,
    vlan_id integer,
    mtu integer,
    external_provider_id public.object_id,
    bridge public.object_name NOT NULL,
    libvirt_network_name public.object_name,
    libvirt_network_type text,
    ordinal bigint NOT NULL,
    is_external boolean GENERATED ALWAYS AS ((external_provider_id IS NOT NULL)) STORED,
    CONSTRAINT networks_libvirt_network_check CHECK (((libvirt_network_name IS NULL) = (libvirt_network_type IS NULL))),
    CONSTRAINT networks_libvirt_network_type_check CHECK ((libvirt_network_type = ANY (ARRAY['bridge'::text, 'macvtap'::text, 'hostdev'::text]))),
    CONSTRAINT networks_mtu_check CHECK (((mtu >= 68) AND (mtu <= 65535))),
    CONSTRAINT networks_vlan_id_check CHECK (((vlan_id >= 0) AND (vlan_id <= 4094)))
);

ALTER TABLE public.networks ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.networks_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.nics (
    id public.object_id NOT NULL,
    name public.object_name NOT NULL,
    vm_id public.object_id NOT NULL,
    vnic_profile_id public.object_id,
    interface text DEFAULT 'virtio'::text NOT NULL,
    mac macaddr NOT NULL,
    plugged boolean DEFAULT true NOT NULL,
    vf_address text,
    pass_through boolean GENERATED ALWAYS AS ((interface = 'pci_passthrough'::text)) STORED,
    ordinal bigint NOT NULL,
    failover_vnic_profile_id public.object_id,
    failover_key text GENERATED ALWAYS AS (COALESCE((failover_vnic_profile_id)::text, ''::text)) STORED,
    CONSTRAINT nics_failover_needs_profile_check CHECK (((vnic_profile_id IS NOT NULL) OR (failover_vnic_profile_id IS NULL))),
    CONSTRAINT nics_interface_check CHECK ((interface = ANY (ARRAY['virtio'::text, 'pci_passthrough'::text, 'e1000'::text, 'e1000e'::text, 'rtl8139'::text, 'spapr_vlan'::text])))
)
WITH (fillfactor='85');

ALTER TABLE public.nics ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.nics_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.sfo_schema_version (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.tokens (
    hash text NOT NULL,
    user_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT tokens_hash_check CHECK ((hash ~ '^[0-9a-f]{64}$'::text))
);

CREATE TABLE public.users (
    name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    ordinal bigint NOT NULL,
    CONSTRAINT users_name_check CHECK (((name <> ''::text) AND (length(name) <= 256) AND (name !~ '[[:space:][:cntrl:]]'::text))),
    CONSTRAINT users_password_hash_check CHECK ((password_hash ~~ '$%'::text)),
    CONSTRAINT users_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'viewer'::text])))
);

ALTER TABLE public.users ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.users_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.vms (
    id public.object_id NOT NULL,
    name public.object_name NOT NULL,
    cluster_id public.object_id NOT NULL,
    os_type public.object_name DEFAULT 'other'::text NOT NULL,
    bios_type text,
    status text DEFAULT 'down'::text NOT NULL,
    host_id public.object_id,
    ordinal bigint NOT NULL,
    CONSTRAINT vms_bios_type_check CHECK ((bios_type = ANY (ARRAY['i440fx_sea_bios'::text, 'q35_sea_bios'::text, 'q35_ovmf'::text, 'q35_secure_boot'::text]))),
    CONSTRAINT vms_status_check CHECK ((status = ANY (ARRAY['down'::text, 'up'::text, 'powering_up'::text, 'paused'::text, 'migrating'::text, 'suspended'::text])))
);

ALTER TABLE public.vms ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.vms_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.vnic_profiles (
    id public.object_id NOT NULL,
    name public.object_name NOT NULL,
    network_id public.object_id NOT NULL,
    pass_through boolean DEFAULT false NOT NULL,
    migratable boolean DEFAULT false NOT NULL,
    port_mirroring boolean DEFAULT false NOT NULL,
    qos_id public.object_id,
    network_filter_id public.object_id,
    ordinal bigint NOT NULL,
    data_center_id public.object_id NOT NULL,
    network_external boolean NOT NULL,
    failover_vnic_profile_id public.object_id,
    failover_key text GENERATED ALWAYS AS (COALESCE((failover_vnic_profile_id)::text, ''::text)) STORED,
    failover_required_false boolean GENERATED ALWAYS AS (
CASE
    WHEN (failover_vnic_profile_id IS NOT NULL) THEN false
    ELSE NULL::boolean
END) STORED,
    CONSTRAINT vnic_profiles_failover_migratable_passthrough_check CHECK (((failover_vnic_profile_id IS NULL) OR (pass_through AND migratable))),
    CONSTRAINT vnic_profiles_failover_not_self_check CHECK (((failover_vnic_profile_id)::text <> (id)::text)),
    CONSTRAINT vnic_profiles_pass_through_properties_check CHECK (((NOT pass_through) OR ((NOT port_mirroring) AND (qos_id IS NULL) AND (network_filter_id IS NULL))))
)
WITH (fillfactor='85');

ALTER TABLE public.vnic_profiles ALTER COLUMN ordinal ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.vnic_profiles_ordinal_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE ONLY public.cluster_networks
    ADD CONSTRAINT cluster_networks_pkey PRIMARY KEY (cluster_id, "position");

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.data_centers
    ADD CONSTRAINT data_centers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.host_networks
    ADD CONSTRAINT host_networks_pkey PRIMARY KEY (host_id, "position");

ALTER TABLE ONLY public.host_pf_networks
    ADD CONSTRAINT host_pf_networks_pkey PRIMARY KEY (pf_id, "position");

ALTER TABLE ONLY public.host_pfs
    ADD CONSTRAINT host_pfs_host_id_position_key UNIQUE (host_id, "position");

ALTER TABLE ONLY public.host_pfs
    ADD CONSTRAINT host_pfs_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.host_vfs
    ADD CONSTRAINT host_vfs_pkey PRIMARY KEY (pf_id, "position");

ALTER TABLE ONLY public.hosts
    ADD CONSTRAINT hosts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.journal_sequences
    ADD CONSTRAINT journal_sequences_ordinal_key UNIQUE (ordinal);

ALTER TABLE ONLY public.journal_sequences
    ADD CONSTRAINT journal_sequences_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.journal_steps
    ADD CONSTRAINT journal_steps_pkey PRIMARY KEY (ordinal);

ALTER TABLE ONLY public.journal_vf_holds
    ADD CONSTRAINT journal_vf_holds_pkey PRIMARY KEY (host_id, vf_address);

ALTER TABLE ONLY public.networks
    ADD CONSTRAINT networks_id_data_center_id_is_external_key UNIQUE (id, data_center_id, is_external);

ALTER TABLE ONLY public.networks
    ADD CONSTRAINT networks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.nics
    ADD CONSTRAINT nics_mac_key UNIQUE (mac);

ALTER TABLE ONLY public.nics
    ADD CONSTRAINT nics_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sfo_schema_version
    ADD CONSTRAINT sfo_schema_version_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_pkey PRIMARY KEY (hash);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.vms
    ADD CONSTRAINT vms_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_failover_target_key UNIQUE (id, pass_through, data_center_id, network_external);

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_id_failover_key_key UNIQUE (id, failover_key);

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_id_pass_through_key UNIQUE (id, pass_through);

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_network_id_name_key UNIQUE (network_id, name);

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_pkey PRIMARY KEY (id);

CREATE INDEX cluster_networks_network_id_idx ON public.cluster_networks USING btree (network_id);

CREATE INDEX clusters_data_center_id_idx ON public.clusters USING btree (data_center_id);

CREATE INDEX host_networks_network_id_idx ON public.host_networks USING btree (network_id);

CREATE INDEX host_pf_networks_network_id_idx ON public.host_pf_networks USING btree (network_id);

CREATE INDEX host_vfs_nic_id_idx ON public.host_vfs USING btree (nic_id);

CREATE INDEX hosts_cluster_id_idx ON public.hosts USING btree (cluster_id);

CREATE INDEX journal_sequences_open_idx ON public.journal_sequences USING btree (ordinal) WHERE (ended_at IS NULL);

CREATE UNIQUE INDEX journal_sequences_open_vm_key ON public.journal_sequences USING btree (((plan ->> 'vm'::text))) WHERE (ended_at IS NULL);

CREATE INDEX journal_steps_sequence_id_idx ON public.journal_steps USING btree (sequence_id, ordinal);

CREATE INDEX journal_vf_holds_sequence_id_idx ON public.journal_vf_holds USING btree (sequence_id);

CREATE INDEX login_failures_user_name_failed_at_idx ON public.login_failures USING btree (user_name, failed_at);

CREATE INDEX networks_data_center_id_idx ON public.networks USING btree (data_center_id);

CREATE UNIQUE INDEX nics_vm_id_failover_vnic_profile_id_key ON public.nics USING btree (vm_id, failover_vnic_profile_id);

CREATE INDEX nics_vnic_profile_id_idx ON public.nics USING btree (vnic_profile_id);

CREATE INDEX tokens_expires_at_idx ON public.tokens USING btree (expires_at);

CREATE INDEX tokens_user_name_idx ON public.tokens USING btree (user_name);

CREATE INDEX vms_cluster_id_idx ON public.vms USING btree (cluster_id);

CREATE INDEX vms_host_id_idx ON public.vms USING btree (host_id);

CREATE INDEX vnic_profiles_failover_vnic_profile_id_idx ON public.vnic_profiles USING btree (failover_vnic_profile_id);

ALTER TABLE ONLY public.cluster_networks
    ADD CONSTRAINT cluster_networks_cluster_id_fkey FOREIGN KEY (cluster_id) REFERENCES public.clusters(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.cluster_networks
    ADD CONSTRAINT cluster_networks_network_id_fkey FOREIGN KEY (network_id) REFERENCES public.networks(id);

ALTER TABLE ONLY public.clusters
    ADD CONSTRAINT clusters_data_center_id_fkey FOREIGN KEY (data_center_id) REFERENCES public.data_centers(id);

ALTER TABLE ONLY public.host_networks
    ADD CONSTRAINT host_networks_host_id_fkey FOREIGN KEY (host_id) REFERENCES public.hosts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.host_networks
    ADD CONSTRAINT host_networks_network_id_fkey FOREIGN KEY (network_id) REFERENCES public.networks(id);

ALTER TABLE ONLY public.host_pf_networks
    ADD CONSTRAINT host_pf_networks_network_id_fkey FOREIGN KEY (network_id) REFERENCES public.networks(id);

ALTER TABLE ONLY public.host_pf_networks
    ADD CONSTRAINT host_pf_networks_pf_id_fkey FOREIGN KEY (pf_id) REFERENCES public.host_pfs(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.host_pfs
    ADD CONSTRAINT host_pfs_host_id_fkey FOREIGN KEY (host_id) REFERENCES public.hosts(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.host_vfs
    ADD CONSTRAINT host_vfs_nic_id_fkey FOREIGN KEY (nic_id) REFERENCES public.nics(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.host_vfs
    ADD CONSTRAINT host_vfs_pf_id_fkey FOREIGN KEY (pf_id) REFERENCES public.host_pfs(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.hosts
    ADD CONSTRAINT hosts_cluster_id_fkey FOREIGN KEY (cluster_id) REFERENCES public.clusters(id);

ALTER TABLE ONLY public.journal_steps
    ADD CONSTRAINT journal_steps_sequence_id_fkey FOREIGN KEY (sequence_id) REFERENCES public.journal_sequences(id);

ALTER TABLE ONLY public.journal_vf_holds
    ADD CONSTRAINT journal_vf_holds_sequence_id_fkey FOREIGN KEY (sequence_id) REFERENCES public.journal_sequences(id);

ALTER TABLE ONLY public.networks
    ADD CONSTRAINT networks_data_center_id_fkey FOREIGN KEY (data_center_id) REFERENCES public.data_centers(id);

ALTER TABLE ONLY public.nics
    ADD CONSTRAINT nics_vm_id_fkey FOREIGN KEY (vm_id) REFERENCES public.vms(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.nics
    ADD CONSTRAINT nics_vnic_profile_failover_fk FOREIGN KEY (vnic_profile_id, failover_key) REFERENCES public.vnic_profiles(id, failover_key);

ALTER TABLE ONLY public.nics
    ADD CONSTRAINT nics_vnic_profile_pass_through_fk FOREIGN KEY (vnic_profile_id, pass_through) REFERENCES public.vnic_profiles(id, pass_through);

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_user_name_fkey FOREIGN KEY (user_name) REFERENCES public.users(name) ON DELETE CASCADE;

ALTER TABLE ONLY public.vms
    ADD CONSTRAINT vms_cluster_id_fkey FOREIGN KEY (cluster_id) REFERENCES public.clusters(id);

ALTER TABLE ONLY public.vms
    ADD CONSTRAINT vms_host_id_fkey FOREIGN KEY (host_id) REFERENCES public.hosts(id);

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_failover_target_fk FOREIGN KEY (failover_vnic_profile_id, failover_required_false, data_center_id, failover_required_false) REFERENCES public.vnic_profiles(id, pass_through, data_center_id, network_external) DEFERRABLE;

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_failover_vnic_profile_id_fk FOREIGN KEY (failover_vnic_profile_id) REFERENCES public.vnic_profiles(id) ON DELETE RESTRICT DEFERRABLE;

ALTER TABLE ONLY public.vnic_profiles
    ADD CONSTRAINT vnic_profiles_network_fk FOREIGN KEY (network_id, data_center_id, network_external) REFERENCES public.networks(id, data_center_id, is_external);

