"""The policy in the W3C Data Privacy Vocabulary, as JSON-LD that parses without the network."""

from __future__ import annotations

import json
import socket

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from placet.notices import export_dpv, export_jsonld
from placet.policy import Policy
from tests.notices.builders import minimal_policy, reference_policies, rich_policy

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
PLACET = Namespace("https://placet.dev/ns#")
XSD_DURATION = URIRef("http://www.w3.org/2001/XMLSchema#duration")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the JSON-LD export must not need the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def graph_of(policy: Policy) -> Graph:
    return Graph().parse(data=export_jsonld(policy), format="json-ld")


def node(policy: Policy, local: str) -> URIRef:
    return URIRef(f"https://placet.dev/policies/{policy.policy_id}/{policy.version}#{local}")


@pytest.mark.usefixtures("no_network")
def test_dpv_export_parses_as_json_ld() -> None:
    graph = graph_of(rich_policy())

    assert len(graph) > 100


def test_dpv_context_is_written_out_not_fetched() -> None:
    context = export_dpv(minimal_policy())["@context"]

    assert context["dpv"] == "https://w3id.org/dpv#"
    assert context["dpv-pd"] == "https://w3id.org/dpv/pd#"
    assert all(isinstance(iri, str) for iri in context.values())


@pytest.mark.usefixtures("no_network")
def test_dpv_marks_a_consent_purpose_with_dpv_consent() -> None:
    policy = minimal_policy()
    graph = graph_of(policy)
    process = node(policy, "process-marketing")

    assert (process, RDF.type, DPV.Process) in graph
    assert (process, DPV.hasLegalBasis, DPV.Consent) in graph
    assert (process, DPV.hasPurpose, node(policy, "purpose-marketing")) in graph
    assert (node(policy, "purpose-marketing"), RDF.type, DPV.DirectMarketing) in graph
    assert (process, DPV.hasDataController, node(policy, "controller")) in graph


@pytest.mark.usefixtures("no_network")
def test_dpv_declares_traffic_data_extension() -> None:
    policy = minimal_policy()
    graph = graph_of(policy)

    assert (PLACET.TrafficData, RDF.type, RDFS.Class) in graph
    assert (PLACET.TrafficData, RDFS.subClassOf, DPV.PersonalData) in graph
    assert (PLACET.TrafficData, RDFS.label, Literal("Traffic data", lang="en")) in graph
    assert graph.value(PLACET.TrafficData, RDFS.comment) is not None
    assert (node(policy, "data-traffic-data"), RDF.type, PLACET.TrafficData) in graph


@pytest.mark.usefixtures("no_network")
def test_dpv_maps_categories_recipients_and_the_dpo() -> None:
    policy = rich_policy()
    graph = graph_of(policy)

    assert (node(policy, "data-contact"), RDF.type, PD.Contact) in graph
    assert (node(policy, "recipient-it-provider"), RDF.type, DPV.DataProcessor) in graph
    assert (node(policy, "controller"), DPV.hasDataProtectionOfficer, node(policy, "dpo")) in graph
    assert (node(policy, "dpo"), RDF.type, DPV.DataProtectionOfficer) in graph
    process = node(policy, "process-fraud-prevention")
    assert (process, DPV.hasLegalBasis, DPV.LegitimateInterest) in graph
    assert (process, DPV.hasPersonalData, node(policy, "data-traffic-data")) in graph


@pytest.mark.usefixtures("no_network")
def test_dpv_storage_condition_carries_the_retention_period() -> None:
    policy = minimal_policy()
    graph = graph_of(policy)
    retention = node(policy, "retention-traffic")

    duration = graph.value(retention, DPV.hasDuration)
    assert (retention, RDF.type, DPV.StorageDuration) in graph
    assert (duration, RDF.type, DPV.TemporalDuration) in graph
    assert graph.value(duration, RDF.value) == Literal("P12M", datatype=XSD_DURATION)
    assert (node(policy, "process-contract"), DPV.hasStorageCondition, retention) in graph


def test_json_ld_export_is_the_dpv_document_as_utf8_json() -> None:
    policy = rich_policy()

    assert json.loads(export_jsonld(policy)) == export_dpv(policy)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("policy", reference_policies(), ids=lambda policy: policy.policy_id)
def test_reference_policy_exports_a_process_per_purpose(policy: Policy) -> None:
    graph = graph_of(policy)

    processes = set(graph.subjects(RDF.type, DPV.Process))
    assert len(processes) == len(policy.purposes)
    assert all(graph.value(process, DPV.hasLegalBasis) is not None for process in processes)
