"""test_lifecycle"""
