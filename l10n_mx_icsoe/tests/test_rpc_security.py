"""test_rpc_security"""
