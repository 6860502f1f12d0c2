"""test_integrity"""
