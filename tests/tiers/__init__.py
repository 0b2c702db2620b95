"""Cluster-scoped policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy).

A package so that its test modules may share base names with tests elsewhere.
"""
